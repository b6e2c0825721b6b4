import { createObjectStore } from '@faceless/infra';
import { runService } from '@faceless/runtime';
import { buildApp } from './server.ts';

// Entry point of the uploader service.
await runService('upload', buildApp, createObjectStore);
