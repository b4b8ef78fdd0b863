// The dashboard's entry point: starts the app (app.js) and leaves it on `window.maestroDashboard` for looking into
// a problem from the browser's console (and for the browser tests).

import { App } from './app.js';

const app = new App();
window.maestroDashboard = app;
app.start();
