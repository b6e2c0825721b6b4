import '@faceless/runtime/tracing-register'; // first: tracing patches the modules imported after it
import { createObjectStore } from '@faceless/infra';
import { runService } from '@faceless/runtime';
import { buildApp } from './server.ts';

// Entry point of the tts-renderer service.
await runService('audio', buildApp, createObjectStore);
