# Sourced by run.sh for E2B (bash).
#   e2b_floor
# What the fake's envd itself costs `exec100`: curl sends the same 100
# process.Process/Start requests wsp sends (`/bin/bash -l -c true`, the
# Connect envelope, the sandbox's access token), one after the other on
# one connection, and reads each stream to its end. No client can run the
# workload in less, so `floor`'s ratio to the SDK is the lowest wall ratio
# this server allows: each command's start (bash's login profile forks
# `id -u`) is the same for every client, while the SDK's own part of a
# command is what a client can save. Called right after exec100 was
# measured (its wsp_wall and sdk_wall); needs run.sh's addr, remote, work
# and E2B_API_KEY. Prints `floor` as measure does, and its ratio.
e2b_floor() {
	local token body=$work/start.bin
	token=$(curl -sf -H "X-API-Key: $E2B_API_KEY" "http://$addr/sandboxes/$remote" |
		node -e 'let s = ""; process.stdin.on("data", (d) => (s += d))
			.on("end", () => console.log(JSON.parse(s).envdAccessToken ?? ""))')
	# one Connect envelope: flags 0, big-endian length, the JSON message
	BODY=$body node -e '
		const j = Buffer.from(JSON.stringify({ process: { cmd: "/bin/bash",
			args: ["-l", "-c", "true"], envs: {}, cwd: "/home/user" }, stdin: false }));
		const h = Buffer.alloc(5); h.writeUInt32BE(j.length, 1);
		require("fs").writeFileSync(process.env.BODY, Buffer.concat([h, j]));'
	local one=(-sf -o /dev/null -H "E2b-Sandbox-Id: $remote" -H "E2b-Sandbox-Port: 49983"
		-H "Content-Type: application/connect+json" -H "Connect-Protocol-Version: 1"
		--data-binary "@$body" "http://$addr/process.Process/Start")
	[ -z "$token" ] || one+=(-H "X-Access-Token: $token")
	local args=("${one[@]}") i
	for ((i = 1; i < 100; i++)); do args+=(--next "${one[@]}"); done
	echo "-- exec100 floor: the same 100 requests by curl, one connection"
	measure floor curl "${args[@]}" || { echo "floor: not measured"; return 0; }
	printf '%-10s wall %.2fx of the SDK (wsp %.2fx)\n' ratio \
		"$(echo "$floor_wall / $sdk_wall" | bc -l)" \
		"$(echo "$wsp_wall / $sdk_wall" | bc -l)"
}
