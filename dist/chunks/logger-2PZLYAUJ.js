import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import"./chunk-6EC2D3C2.js";var g={info:()=>{},warning:()=>{},error:()=>{},group:(e,r)=>r()};export{g as silentLogger};
