// Starts the first reads of a project (the first page of open tasks, then the sessions) while the
// dashboard's modules are still loading, so that the first screen does not wait for both one after the other. A
// classic script, loaded `async` from index.html; snapshot-loader.js takes the responses (or reads again itself when
// these are missing, failed or for another token or project).

(() => {
  try {
    const address = new URL(window.location.href);
    const fromHash = /^#token=([^&]*)/.exec(address.hash);
    const token = (fromHash && decodeURIComponent(fromHash[1])) || window.localStorage.getItem('maestro.token');
    const wanted = address.searchParams.get('project');
    const project = wanted && /^[A-Za-z0-9._:-]{1,128}$/.test(wanted) ? wanted : 'default';
    if (!token) return;
    const read = (path, query) => {
      const url = new URL(path, window.location.origin);
      url.searchParams.set('projectId', project);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      return fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        cache: 'no-store',
      });
    };
    const reads = {
      openTasks: read('/api/tasks', { view: 'summary', status: 'todo,inprogress', offset: 0, limit: 1000 }),
      sessions: read('/api/sessions', { offset: 0, limit: 1000 }),
    };
    for (const response of Object.values(reads)) response.catch(() => {});
    window.maestroFirstReads = { token, project, reads };
  } catch {
    /* the dashboard reads everything itself */
  }
})();
