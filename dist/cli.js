#!/usr/bin/env node
import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{mkdtempSync as p,writeFileSync as m}from"node:fs";import{tmpdir as l}from"node:os";import{join as a}from"node:path";import{parseArgs as u}from"node:util";var i=`usage:
  agentloop tick --repo owner/name [--lane plan|code|sweep] [--item N] [--dry-run] [--input key=value ...]
      One run against a real forge, as a workflow_dispatch would start it.
      The token comes from GITHUB_TOKEN (or --input token=...); GITHUB_API_URL picks the API.
  agentloop demo
      The whole loop on the embedded forge, offline.`;async function d(o){let{values:e}=u({args:o,options:{repo:{type:"string"},lane:{type:"string"},item:{type:"string"},"dry-run":{type:"boolean"},input:{type:"string",multiple:!0}}});if(!e.repo)throw new Error(`--repo is required
${i}`);let n=p(a(l(),"agentloop-tick-")),r=a(n,"event.json");m(r,JSON.stringify({inputs:{lane:e.lane??"",item:e.item??""}})),Object.assign(process.env,{GITHUB_REPOSITORY:e.repo,GITHUB_EVENT_NAME:"workflow_dispatch",GITHUB_EVENT_PATH:r,RUNNER_TEMP:n}),e.lane&&(process.env.INPUT_LANE=e.lane),e["dry-run"]&&(process.env["INPUT_DRY-RUN"]="true");for(let t of e.input??[]){let s=t.indexOf("=");if(s<1)throw new Error(`--input takes key=value, got "${t}"`);process.env[`INPUT_${t.slice(0,s).toUpperCase()}`]=t.slice(s+1)}!process.env.INPUT_TOKEN&&process.env.GITHUB_TOKEN&&(process.env.INPUT_TOKEN=process.env.GITHUB_TOKEN);let{main:c}=await import("./chunks/main-TIHEI3GT.js");await c()}async function f(o){let[e,...n]=o;switch(e){case"tick":return d(n);case"demo":{let{demo:r}=await import("./chunks/demo-I6R7VBOL.js");return r(n)}case void 0:case"-h":case"--help":console.log(i);return;default:throw new Error(`unknown command "${e}"
${i}`)}}f(process.argv.slice(2)).catch(o=>{console.error(`agentloop: ${o.message}`),process.exitCode=1});
