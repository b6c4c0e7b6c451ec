import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import"./chunk-6EC2D3C2.js";async function e(o){console.log("agentloop demo: the whole loop arrives with the embedded forge.")}export{e as demo};
