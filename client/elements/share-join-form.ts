import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PASSPHRASE_BITS, PASSPHRASE_WORDS, generatePassphrase, generateSessionId } from '../state/passphrase.ts';
import { parseLink } from '../state/share-link.ts';
import { icons } from '../styles/icons.ts';
import { controls } from '../styles/tokens.ts';
import { formStyles } from './share-join-form.styles.ts';
import './share-copy-button.ts';

export interface SessionRequest {
  mode: 'create' | 'join';
  sessionId: string;
  passphrase: string;
  name: string;
  /** Keep the passphrase on this device. */
  remember: boolean;
}

/** The person asked to create or join a session. */
export class SessionRequestEvent extends Event {
  static readonly eventName = 'session-request';
  constructor(readonly request: SessionRequest) {
    super(SessionRequestEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * The form to start a new session (with a generated id and passphrase, shown
 * with copy buttons) or to join one.
 *
 * @fires session-request - SessionRequestEvent with what was entered.
 * @csspart form - The form.
 * @csspart submit - The submit button.
 */
@customElement('share-join-form')
export class ShareJoinForm extends LitElement {
  static override styles = [controls, formStyles];

  @property({ reflect: true }) accessor mode: 'create' | 'join' = 'create';
  @property({ attribute: 'session-id' }) accessor sessionId = '';
  @property() accessor passphrase = '';
  @property() accessor name = '';
  @property({ type: Boolean }) accessor remember = false;
  /** Disables the form while a join is in progress. */
  @property({ type: Boolean }) accessor busy = false;
  /** A message about the last attempt, shown as an alert. */
  @property() accessor error = '';
  /** In join mode, the session this tab was in before a reload: says so and puts the focus on the passphrase. */
  @property() accessor rejoin = '';

  @state() private accessor reveal = false;

  override willUpdate(): void {
    if (this.mode === 'create' && !this.sessionId) this.sessionId = generateSessionId();
    if (this.mode === 'create' && !this.passphrase) this.passphrase = generatePassphrase();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // After a refused attempt the form was inert and lost the focus: put it where the fix usually is.
    if (changed.has('busy') && !this.busy && this.error) {
      this.renderRoot.querySelector<HTMLElement>(this.mode === 'join' ? '#passphrase' : 'button[type=submit]')?.focus();
    }
    if (changed.has('rejoin') && this.#rejoining) this.renderRoot.querySelector<HTMLElement>('#passphrase')?.focus();
  }

  override render() {
    const create = this.mode === 'create';
    return html`<form part="form" @submit=${this.#submit} ?inert=${this.busy} aria-busy=${this.busy}>
      ${create ? this.#generated() : this.#typed()}
      <div class="field">
        <label for="name">Your name</label>
        <input id="name" name="name" .value=${this.name} required maxlength="64" autocomplete="nickname"
          placeholder="e.g. Sam's laptop" @input=${this.#nameInput} />
        <span class="help">Shown to the others in the session. Remembered on this device.</span>
      </div>
      <label class="check">
        <input type="checkbox" name="remember" .checked=${this.remember}
          @change=${(e: Event) => (this.remember = (e.target as HTMLInputElement).checked)} />
        <span>Remember the passphrase on this device</span>
        <span class="help">Only tick this on a device you alone use: it is stored unencrypted in this browser.</span>
      </label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button part="submit" type="submit" class="primary submit" ?disabled=${this.busy}>
        ${this.busy ? html`<span class="spinner" aria-hidden="true"></span>Connecting…` : create ? 'Start session' : 'Join session'}
      </button>
    </form>`;
  }

  #generated() {
    return html`
      <div class="field">
        <span class="label" id="sid-label">Session</span>
        <div class="secret" role="group" aria-labelledby="sid-label">
          <code>${this.sessionId}</code>
          <share-copy-button value=${this.sessionId} label="Copy session id"></share-copy-button>
        </div>
      </div>
      <div class="field">
        <span class="label" id="pass-label">Passphrase</span>
        <div class="secret" role="group" aria-labelledby="pass-label">
          <code>${this.passphrase}</code>
          <share-copy-button value=${this.passphrase} label="Copy passphrase"></share-copy-button>
          <button type="button" class="ghost icon" aria-label="Generate another passphrase" title="Generate another"
            @click=${() => (this.passphrase = generatePassphrase())}>${icons.dice}</button>
        </div>
        <span class="help">
          ${PASSPHRASE_WORDS} random words, ${Math.floor(PASSPHRASE_BITS)} bits. Other devices need it to join; it never
          leaves this device.
        </span>
      </div>
    `;
  }

  #typed() {
    const rejoining = this.#rejoining;
    return html`
      ${rejoining
        ? html`<p class="rejoin" id="rejoin">Enter the passphrase to rejoin session <strong>${this.rejoin}</strong>.</p>`
        : nothing}
      <div class="field">
        <label for="session">Session</label>
        <input id="session" name="session" .value=${this.sessionId} required maxlength="64" pattern="[A-Za-z0-9_\\-]+"
          autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="e.g. k7wm-q3xa-9fhp"
          @input=${this.#sessionInput} />
      </div>
      <div class="field">
        <label for="passphrase">Passphrase</label>
        <div class="with-button">
          <input id="passphrase" name="passphrase" type=${this.reveal ? 'text' : 'password'} .value=${this.passphrase}
            required autocomplete="off" autocapitalize="none" spellcheck="false"
            aria-describedby=${rejoining ? 'rejoin' : nothing}
            @input=${(e: Event) => (this.passphrase = (e.target as HTMLInputElement).value)} />
          <button type="button" class="ghost icon" aria-pressed=${this.reveal}
            aria-label=${this.reveal ? 'Hide passphrase' : 'Show passphrase'} @click=${() => (this.reveal = !this.reveal)}>
            ${this.reveal ? icons.eyeOff : icons.eye}
          </button>
        </div>
      </div>
    `;
  }

  /** The form offers to rejoin the session this tab was in (until another id is typed). */
  get #rejoining(): boolean {
    return this.mode === 'join' && this.rejoin !== '' && this.rejoin === this.sessionId.trim();
  }

  /** A name of only spaces would pass `required` and then do nothing: say so instead. */
  #nameInput = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    this.name = input.value;
    input.setCustomValidity(input.value && !input.value.trim() ? 'Enter a name, not only spaces.' : '');
  };

  /** An invitation link pasted whole gives its session id (and passphrase, when it carries one). */
  #sessionInput = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    const typed = input.value.trim();
    const hash = typed.includes('#') ? typed.slice(typed.indexOf('#')) : '';
    const link = hash ? parseLink(hash) : undefined;
    if (link) {
      input.value = link.sessionId;
      if (link.passphrase) this.passphrase = link.passphrase;
    }
    this.sessionId = link?.sessionId ?? typed;
  };

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.busy) return;
    const name = this.name.trim();
    if (!name || !this.sessionId || !this.passphrase) return;
    this.dispatchEvent(
      new SessionRequestEvent({
        mode: this.mode,
        sessionId: this.sessionId.trim(),
        passphrase: this.passphrase,
        name,
        remember: this.remember,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-join-form': ShareJoinForm;
  }
  interface HTMLElementEventMap {
    'session-request': SessionRequestEvent;
  }
}
