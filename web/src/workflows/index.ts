// Workflow tools shown in the "Alat / Tools" tab (see ../tools.ts for the
// interface). This folder belongs to the workflows work: each tool is its own
// module, listed below.
import type { Tool } from '../tools';
import './workflows.css';
import { sitePlanner } from './sites';
import { operationPlanner } from './operation';
import { kanwilBrief } from './brief';

export const workflows: Tool[] = [sitePlanner, operationPlanner, kanwilBrief];
