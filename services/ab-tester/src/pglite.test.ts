import { openTestDatabase } from '@faceless/infra/testing';
import { experimentSuite } from './experiment-suite.ts';

// One PGlite for the whole file: creating one costs seconds and hundreds of MB.
experimentSuite(() => openTestDatabase('pglite'));
