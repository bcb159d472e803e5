// Workflow tools shown in the "Alat / Tools" tab (see ../tools.ts for the
// interface). This folder belongs to the workflows work: add each tool as its
// own module here and list it below.
import type { Tool } from '../tools';

export const workflows: Tool[] = [];
