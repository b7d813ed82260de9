/**
 * Web client entry. Until the full UI lands, <share-app> shows whether this
 * browser can reach the server over Socket.IO.
 */
import { io } from 'socket.io-client';
import * as parser from '../protocol/parser.ts';

class ShareApp extends HTMLElement {
  connectedCallback(): void {
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>
        :host { display: block; font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; }
        .state { font-weight: 600; }
      </style>
      <h1>ShareThings</h1>
      <p>End-to-end encrypted sharing between your devices.</p>
      <p>Server connection: <span class="state" role="status">connecting…</span></p>`;
    const state = root.querySelector('.state')!;
    const socket = io({ path: '/socket.io/', transports: ['websocket', 'polling'], parser });
    socket.on('connect', () => (state.textContent = 'connected'));
    socket.on('disconnect', () => (state.textContent = 'reconnecting…'));
    socket.on('connect_error', () => (state.textContent = 'offline'));
  }
}

customElements.define('share-app', ShareApp);
