package pki

// knownLogs names well-known Certificate Transparency logs by log ID (the
// base64 SHA-256 of the log's public key, RFC 6962 §3.2). Each ID was
// computed from the log's key as published in Google's CT log list
// (www.gstatic.com/ct/log_list/v3/log_list.json, as mirrored in public
// source trees in 2025-2026); the 2026 shards were cross-checked against a
// second, independent copy of the list's log IDs. Logs that are not listed
// here are reported by ID only. The list covers the shards that certificates
// valid in 2024-2027 are logged to; refresh it from the log list when new
// shards open.
var knownLogs = map[string]string{
	"7s3QZNXbGs7FXLedtM0TojKHRny87N7DUUhZRnEftZs=": "Google 'Argon2024'",
	"TnWjJ1yaEMM4W2zU3z9S6x3w4I4bjWnAsfpksWKaOd8=": "Google 'Argon2025h1'",
	"EvFONL1TckyEBhnDjz96E/jntWKHiJxtMAWE6+WGJjo=": "Google 'Argon2025h2'",
	"DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=": "Google 'Argon2026h1'",
	"1219ENGn9XfCx+lf1wC/+YLJM1pl4dCzAXMXwMjFaXc=": "Google 'Argon2026h2'",
	"dv+IPwq2+5VRwmHM9Ye6NLSkzbsp3GhCCp/mZ0xaOnQ=": "Google 'Xenon2024'",
	"zxFW7tUufK/zh1vZaS6b6RpxZ0qwF+ysAdJbd87MOwg=": "Google 'Xenon2025h1'",
	"3dzKNJXX4RYF55Uy+sef+D0cUN/bADoUEnYKLKy7yCo=": "Google 'Xenon2025h2'",
	"lpdkv1VYl633Q4doNwhCd+nwOtX2pPM2bkakPw/KqcY=": "Google 'Xenon2026h1'",
	"2AlVO5RPev/IFhlvlE+Fq7D4/F6HVSYPFdEucrtFSxQ=": "Google 'Xenon2026h2'",
	"2ra/az+1tiKfm8K7XGvocJFxbLtRhIU0vaQ9MEjX+6s=": "Cloudflare 'Nimbus2024'",
	"zPsPaoVxCWX+lZtTzumyfCLphVwNl422qX5UwP5MDbA=": "Cloudflare 'Nimbus2025'",
	"yzj3FYl8hKFEX1vB3fvJbvKaWc1HCmkFhbDLFMMUWOc=": "Cloudflare 'Nimbus2026'",
	"SLDja9qmRzQP5WoC+p0w6xxSActW3SyB2bu/qznYhHM=": "DigiCert 'Yeti2024'",
	"fVkeEuF4KnscYWd8Xv340IdcFKBOlZ65Ay/ZDowuebg=": "DigiCert 'Yeti2025'",
	"c9meiRtMlnigIH1HneayxhzQUV5xGSqMa4AQesF3crU=": "DigiCert 'Nessie2024'",
	"5tIxY0B3jMEQQQbXcbnOwdJA9paEhvu6hzId/R43jlA=": "DigiCert 'Nessie2025'",
	"DCrvLEpbmIPU3aOC/lD7UYiz6XMzoexToJ3Jp50NCCA=": "DigiCert 'Wyvern2024h2'",
	"cyAiDwgWivnzxKaLCrJqmkoA7vV3hYoITQUA1KVCRFk=": "DigiCert 'Wyvern2025h1'",
	"7TxL1ugGwqSiAFfbyyTiOAHfUS/txIbFcA8g3bc+P+A=": "DigiCert 'Wyvern2025h2'",
	"ZBHEbKQS7KeJHKICLgC8q08oB9QeNSer6v7VA8l9zfA=": "DigiCert 'Wyvern2026h1'",
	"wjF+V0UZo0XufzjespBB68fCIVoiv3/Vta12mtkOUs0=": "DigiCert 'Wyvern2026h2'",
	"3Mleb6KZubD9vWymo24dcsQhL90eD0dVOjbWzxrRHY0=": "DigiCert 'Sphinx2024h2'",
	"3oWB11AkfGvNy69WN8XngcZM5G7WF2OfjzSnJsnivTc=": "DigiCert 'Sphinx2025h1'",
	"pELFBklgYVSPD9TqnPt6LSZFTYepfy/fRVn2J086hFQ=": "DigiCert 'Sphinx2025h2'",
	"SZybad4dfOz8Nt7Nh2SmuFuvCoeAGdFVUvvp6ynd+MM=": "DigiCert 'Sphinx2026h1'",
	"lE5Dh/rswe+B8xkkJqgYZQHH0184AgE/cmd9VTcuGdg=": "DigiCert 'Sphinx2026h2'",
	"VYHUwhaQNgFK6gubVzxT8MDkOHhwJQgXL6OqHQcT0ww=": "Sectigo 'Sabre'",
	"GZgQcQnw1lIuMIDSnj9ku4NuKMz5D1KO7t/OSj8WtMo=": "Sectigo 'Sabre2024h2'",
	"4JKz/AwdyOdoNh/eYbmWTQpSeBmKctZyxLBNpW1vVAQ=": "Sectigo 'Sabre2025h1'",
	"GgT/SdBUHUCv9qDDv/HYxGcvTuzuI0BomGsXQC7ciX0=": "Sectigo 'Sabre2025h2'",
	"3+FW66oFr7WcD4ZxjajAMk6uVtlup/WlagHRwTu+Ulw=": "Sectigo 'Mammoth2024h2'",
	"E0rfGrWYQgl4DG/vTHqRpBa3I0nOWFdq367ap8Kr4CI=": "Sectigo 'Mammoth2025h1'",
	"rxgaKNaMo+CpikycZ6sJ+Lu8IrquvLE4o6Gd0/m2Aw0=": "Sectigo 'Mammoth2025h2'",
	"JS+Uwisp6W6fQRpyBytpXFtS/5epDSVAu/zcUexN7gs=": "Sectigo 'Mammoth2026h1'",
	"lLHBirDQV8R74KwEDh8svI3DdXJ7yVHyClJhJoY7pzw=": "Sectigo 'Mammoth2026h2'",
	"VmzVo3a+g9/jQrZ1xJwjJJinabrDgsurSaOHfZqzLQE=": "Sectigo 'Sabre2026h1'",
	"H1bRq5RwSkHdP+r99GmTVTAsFDG/5hNGCJ//rnldzC8=": "Sectigo 'Sabre2026h2'",
	"PxdLT9ciR1iUHWUchL4NEu2QN38fhWrrwb8ohez4ZG4=": "Let's Encrypt 'Oak2024H2'",
	"ouMK5EXvva2bfjjtR2d3U9eCW4SU1yteGyzEuVCkR+c=": "Let's Encrypt 'Oak2025h1'",
	"DeHyMCvTDcFAYhIJ6lUu/Ed0fLHX6TDvDkIetH5OqjQ=": "Let's Encrypt 'Oak2025h2'",
	"GYbUxyiqb/66A294Kk0BkarOLXIxD67OXXBBLSVMx9Q=": "Let's Encrypt 'Oak2026h1'",
	"rKswcGzr7IQx9BPS9JFfER5CJEOx8qaMTzwrO6ceAsM=": "Let's Encrypt 'Oak2026h2'",
	"h0+1DcAp2ZMd5XPp8omejkUzs5LTiwpGJXS/D+6y/B4=": "TrustAsia 'Log2024-2'",
	"KOKBOP2DIUXpqdaqdTdtg3eohRKzwH9yQUgh3L3pjGY=": "TrustAsia 'Log2025a'",
	"KCyL3YEP+QkSCs4W1uDsIBvqgqOkrxnZ7/tZ6D/cQmg=": "TrustAsia 'Log2025b'",
	"dNudWPfUfp39eHoWKpkcGM9pjafHKZGMmhiwRQ26RLw=": "TrustAsia 'log2026a'",
	"Jbfv3qETAZPtkweXcKoyKiZiDeNayKp8dRl94LGp4GU=": "TrustAsia 'log2026b'",
}

// LogName returns the name of a CT log given its base64 log ID, or "" when
// the log is not in padlock's table.
func LogName(logID string) string { return knownLogs[logID] }
