// Loaded with node --require: answers the name of SSL Labs' API host with
// the loopback address padlock serve listens on (PADLOCK_API_IP), as an
// /etc/hosts entry would. Every other name resolves as usual. The client
// itself is not touched.
"use strict";
const dns = require("dns");
const ip = process.env.PADLOCK_API_IP;
const original = dns.lookup;
dns.lookup = function (hostname, options, callback) {
	if (typeof options === "function") {
		callback = options;
		options = {};
	}
	if (ip && hostname === "api.ssllabs.com") {
		if (options && options.all) {
			return process.nextTick(callback, null, [{ address: ip, family: 4 }]);
		}
		return process.nextTick(callback, null, ip, 4);
	}
	return original.call(dns, hostname, options, callback);
};
