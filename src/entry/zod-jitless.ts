// Imported first by the heavy path, before any module builds a schema (zod reads this when it builds
// one). A run parses each schema a few times: zod's compiled fast path (generated with `new Function`)
// costs more to build than it saves there (docs/performance.md, Start-up).
import * as z from 'zod';

z.config({ jitless: true });
