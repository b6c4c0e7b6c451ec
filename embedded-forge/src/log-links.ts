// Job logs as GitHub serves them: `GET …/actions/jobs/{id}/logs` answers 302 with a `Location` that
// downloads the plain text without credentials and "expires after 1 minute" (docs: "Download job logs
// for a workflow run"). The download URLs live under /_blobs/job-logs/ on the forge's web address.
import { randomBytes } from 'node:crypto';

export const LOG_LINK_LIFETIME_MS = 60_000;
const PREFIX = '/_blobs/job-logs/';

export class LogLinks {
  private readonly links = new Map<string, { jobId: number; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly read: (jobId: number) => string | undefined,
  ) {}

  /** A fresh download URL for a job's log. */
  create(webUrl: string, jobId: number): string {
    const key = randomBytes(16).toString('hex');
    this.links.set(key, { jobId, expiresAt: this.now() + LOG_LINK_LIFETIME_MS });
    return `${webUrl}${PREFIX}${jobId}?sig=${key}`;
  }

  handles(pathname: string): boolean {
    return pathname.startsWith(PREFIX);
  }

  /** The text behind a download URL: 200, or 403 for a wrong or expired signature (as blob storage answers). */
  serve(url: URL): { status: number; text: string } {
    const link = this.links.get(url.searchParams.get('sig') ?? '');
    const jobId = Number(url.pathname.slice(PREFIX.length));
    if (!link || link.jobId !== jobId || this.now() >= link.expiresAt) return { status: 403, text: 'AuthenticationFailed' };
    const text = this.read(jobId);
    return text === undefined ? { status: 404, text: 'BlobNotFound' } : { status: 200, text };
  }
}
