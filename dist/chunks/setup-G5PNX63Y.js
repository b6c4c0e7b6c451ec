import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);
import{k as a}from"./chunk-NWLRGCPS.js";import"./chunk-YSDCU3E7.js";import"./chunk-3FXUYUMZ.js";import"./chunk-TG6WJQYR.js";import"./chunk-BA6N4DQL.js";import"./chunk-6CC2XWDO.js";import"./chunk-S7MLJKM3.js";import"./chunk-6EC2D3C2.js";export{a as setupRun};
