/**
 * The web client's entry: defines every <share-*> element. Loading this
 * module (or its stable alias share-elements.js, for embedding) is all a page
 * needs; see ELEMENTS.md. The classes and event types are exported for pages
 * that script the elements.
 */
export { ShareApp, SessionJoinedEvent, SessionLeftEvent, ConnectionChangeEvent } from './elements/share-app.ts';
export { ShareBanner } from './elements/share-banner.ts';
export { ShareComposer, ShareTextEvent, ShareFilesEvent } from './elements/share-composer.ts';
export { ShareConfirmDialog, DialogAnswerEvent } from './elements/share-confirm-dialog.ts';
export { ShareConnectionStatus } from './elements/share-connection-status.ts';
export { ShareContentItem, ItemActionEvent } from './elements/share-content-item.ts';
export { ShareCopyButton, CopiedEvent } from './elements/share-copy-button.ts';
export { ShareDropOverlay } from './elements/share-drop-overlay.ts';
export { ShareFileIcon } from './elements/share-file-icon.ts';
export { ShareFingerprint } from './elements/share-fingerprint.ts';
export { ShareImageViewer, ViewerCloseEvent } from './elements/share-image-viewer.ts';
export { ShareInvite } from './elements/share-invite.ts';
export { ShareJoinForm, SessionRequestEvent } from './elements/share-join-form.ts';
export { ShareMemberList } from './elements/share-member-list.ts';
export { SharePreview } from './elements/share-preview.ts';
export { ShareQrCode } from './elements/share-qr-code.ts';
export { ShareStart } from './elements/share-start.ts';
export { ShareThemeToggle, ThemeChangeEvent } from './elements/share-theme-toggle.ts';
export { ShareTimeline, LoadMoreEvent, ClearAllEvent } from './elements/share-timeline.ts';
export { ShareToast, ToastDismissEvent } from './elements/share-toast.ts';
export { ShareTransferProgress, TransferCancelEvent } from './elements/share-transfer-progress.ts';
export { TOKEN_DEFAULTS } from './styles/tokens.ts';
// Already inside the bundle (share-app uses it): a page that embeds the elements can script the SDK too.
export { ShareClient, ShareError } from './sdk/index.ts';
