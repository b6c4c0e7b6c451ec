// GitHub's example webhook payloads, from the embedded forge package.
export * from '@agentloop/embedded-forge/webhooks';
