// The validator lives with the embedded forge (the demo validates too); tests import it from here.
export * from '@agentloop/embedded-forge/openapi';
