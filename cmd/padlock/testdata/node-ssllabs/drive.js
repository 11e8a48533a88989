// Drives node-ssllabs as an SSL Labs user would: info, getStatusCodes,
// then for each host given: analyze (startNew), poll analyze until READY
// or ERROR, getEndpointData for every endpoint. Prints one JSON document
// with what the client returned; exits 1 on any client error.
"use strict";
const ssllabs = require("node-ssllabs");

function call(fn, ...args) {
	return new Promise((resolve, reject) => {
		fn(...args, (err, data) => (err ? reject(err) : resolve(data)));
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function assess(host, coolOff) {
	// A polite client waits the cool-off before each new assessment.
	await sleep(coolOff);
	const started = await call(ssllabs.analyze, { host, startNew: true, all: "done" });
	let result = started;
	const deadline = Date.now() + 5 * 60 * 1000;
	while (result.status !== "READY" && result.status !== "ERROR") {
		if (Date.now() > deadline) {
			throw new Error(`${host}: not READY after 5 minutes (${result.status})`);
		}
		await sleep(500);
		result = await call(ssllabs.analyze, { host, all: "done" });
	}
	const endpoints = [];
	for (const ep of result.endpoints || []) {
		endpoints.push(await call(ssllabs.getEndpointData, { host, s: ep.ipAddress }));
	}
	// A cached answer, asked for the way clients do (fromCache=true, maxAge).
	const cached = await call(ssllabs.analyze, { host, fromCache: "true", maxAge: 24 });
	return { host, firstStatus: started.status, result, endpoints, cachedStatus: cached.status };
}

(async () => {
	const info = await call(ssllabs.info);
	const statusCodes = await call(ssllabs.getStatusCodes);
	const hosts = [];
	for (const h of process.argv.slice(2)) {
		hosts.push(await assess(h, info.newAssessmentCoolOff || 0));
	}
	process.stdout.write(JSON.stringify({ info, statusCodes, hosts }));
})().catch((err) => {
	process.stderr.write(`node-ssllabs: ${err.stack || err}\n${err.body ? JSON.stringify(err.body) : ""}\n`);
	process.exit(1);
});
