// Hosts the workflow tools (src/workflows) in the "Alat / Tools" tab.
import type { App } from './main';
import type { Tool, ToolContext } from './tools';
import { workflows } from './workflows/index';

export function toolContext(app: App): ToolContext {
  return {
    map: app.map,
    api: app.api,
    i18n: app.i18n,
    me: () => app.me,
    kind: () => app.kind,
    period: () => app.apiPeriod(),
    flyTo: (b) => app.flyTo(b),
    status: (text, kind) => app.status(text, kind),
    post: (path, body) => app.post(path, body),
    on: (ev, fn) => app.on(ev, fn),
  };
}

export function mountTools(app: App, root: HTMLElement, all: Tool[] = workflows) {
  // Only the tools the server lets this role use (the server refuses the rest).
  const allowed = new Set(app.me?.tools ?? []);
  const tools = all.filter((t) => allowed.has(t.access));
  const render = () => {
    root.replaceChildren();
    if (tools.length === 0) {
      const p = document.createElement('p');
      p.className = 'note';
      p.textContent = app.i18n.t('tools.empty');
      root.append(p);
      return;
    }
    const ctx = toolContext(app);
    for (const tool of tools) {
      const d = document.createElement('details');
      d.className = 'tool';
      d.dataset.tool = tool.id;
      const s = document.createElement('summary');
      s.textContent = tool.title[app.i18n.lang];
      const body = document.createElement('div');
      body.className = 'tool-body';
      d.append(s, body);
      let cleanup: void | (() => void);
      d.addEventListener('toggle', () => {
        if (d.open) {
          try {
            cleanup = tool.mount(body, ctx);
          } catch (e) {
            app.showError(e);
          }
        } else {
          if (typeof cleanup === 'function') cleanup();
          body.replaceChildren();
        }
      });
      root.append(d);
    }
  };
  render();
  app.on('lang', () => {
    root.querySelectorAll<HTMLElement>('details.tool').forEach((d) => {
      const tool = tools.find((x) => x.id === d.dataset.tool);
      const s = d.querySelector('summary');
      if (tool && s) s.textContent = tool.title[app.i18n.lang];
    });
    if (tools.length === 0) render();
  });
}
