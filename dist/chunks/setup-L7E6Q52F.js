import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{a}from"./chunk-6IB7P3A3.js";import"./chunk-2PTFQCMF.js";import"./chunk-X46OONOS.js";import"./chunk-TG6WJQYR.js";import"./chunk-BA6N4DQL.js";import"./chunk-6W56YAD3.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as setupRun};
