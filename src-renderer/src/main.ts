import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';
import { connectApi } from './transport/connect-api.js';
import { windowRequestFrom } from './window-request.js';

const request = windowRequestFrom(location.search);
const target = document.getElementById('app');
if (target) mount(App, { target, props: { connection: connectApi(request), request } });
