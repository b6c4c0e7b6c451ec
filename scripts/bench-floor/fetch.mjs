// FLOOR_REQUESTS requests to FLOOR_URL with Node's global fetch (what Octokit uses), or with node:http
// when FLOOR_HTTP is set: what the first requests of a process cost apart from any library. FLOOR_LIFTOFF
// sets what dist/index.js sets before its first request (src/entry/index.ts: baselineWasmOnly).
import http from 'node:http';
import { setFlagsFromString } from 'node:v8';

if (process.env.FLOOR_LIFTOFF) setFlagsFromString('--liftoff-only');

const url = `${process.env.FLOOR_URL}/repos/acme/widget`;
const headers = { authorization: `token ${process.env.FLOOR_TOKEN}` };
for (let i = 0; i < Number(process.env.FLOOR_REQUESTS ?? 3); i++) {
  if (process.env.FLOOR_HTTP)
    await new Promise((done, fail) => http.get(url, { headers }, (res) => res.resume().on('end', done)).on('error', fail));
  else await (await fetch(url, { headers })).text();
}
process.exit();
