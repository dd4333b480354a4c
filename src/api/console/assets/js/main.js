// Loads the script of this page (data-page on <body>, set by the server from a fixed list).
import { notice, replace } from './dom.js';

const root = document.getElementById('page');
const { page } = document.body.dataset;

import(`./pages/${page}.js`)
  .then((module) => module.render(root, document.body.dataset))
  .catch((err) => {
    replace(root, notice('error', `This page could not load: ${err.message}`));
  });
