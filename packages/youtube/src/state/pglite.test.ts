import { openTestDatabase } from '@faceless/infra/testing';
import { stateSuite } from './state-suite.ts';

stateSuite('PGlite', () => openTestDatabase('pglite'));
