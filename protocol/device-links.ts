/**
 * GET /device-links: where another device can open this app, for "Add a
 * device". Only addresses and the certificate's public fingerprint: nothing
 * about sessions. Empty `urls` when the node serves no HTTPS of its own
 * (behind a proxy, the page's own address is the one to share).
 */
export interface DeviceLink {
  /** e.g. "https://192.168.1.20:3443/" */
  url: string;
  /** How a person tells it apart, e.g. "192.168.1.20 (wlan0)". */
  label: string;
}

export interface DeviceLinks {
  /** Best first. */
  urls: DeviceLink[];
  /** SHA-256 of the HTTPS certificate, "AB:CD:…" (null without HTTPS of its own). */
  fingerprint: string | null;
  /** Browsers warn about a self-signed certificate once per device. */
  selfSigned: boolean;
}

export const DEVICE_LINKS_PATH = '/device-links';
