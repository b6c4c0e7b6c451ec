// Forgejo-mode file reads: `GET …/contents/{filepath}?ref=` answers a ContentsResponse (base64 content)
// for a file, an array of them for a directory, 404 otherwise (routers/api/v1/repo/file.go GetContents).
import { forgejoRouteList } from './forgejo-router.js';
import * as git from './git-ops.js';
import type { Urls } from './github-json.js';
import { HttpError } from './http-util.js';
import type { RepoState } from './state.js';

const { routes, route } = forgejoRouteList();

function entry(repo: RepoState, urls: Urls, ref: string, e: git.TreeEntry, content?: string) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    name: e.name,
    path: e.path,
    sha: e.sha,
    type: e.type,
    size: e.size ?? 0,
    ...(content !== undefined ? { encoding: 'base64', content: Buffer.from(content, 'utf8').toString('base64') } : {}),
    url: `${urls.api}/repos/${full}/contents/${e.path}?ref=${encodeURIComponent(ref)}`,
    html_url: `${urls.web}/${full}/src/branch/${ref}/${e.path}`,
    git_url: `${urls.api}/repos/${full}/git/blobs/${e.sha}`,
    download_url: `${urls.web}/${full}/raw/branch/${ref}/${e.path}`,
  };
}

route('GET', '/repos/{owner}/{repo}/contents/{filepath}', 'read', async (forge, repo, req) => {
  const ref = req.url.searchParams.get('ref') || repo.defaultBranch;
  const path = git.cleanPath(req.params.filepath!);
  const dir = await git.listFiles(repo.gitDir, ref, path);
  if (dir) return { status: 200, body: dir.map((e) => entry(repo, forge.urls, ref, e)) };
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const found = (await git.listFiles(repo.gitDir, ref, parent))?.find((e) => e.path === path);
  const text = found?.type === 'file' ? await git.readFile(repo.gitDir, ref, path) : null;
  if (!found || text === null) throw new HttpError(404, 'GetContentsOrList', { errors: [] });
  return { status: 200, body: entry(repo, forge.urls, ref, found, text) };
});

export const forgejoContentRoutes = routes;
