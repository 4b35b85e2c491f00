/**
 * Registers the service worker (production builds only) and reports when a new version has installed
 * and is waiting, with a function that activates it; the page then reloads once it has taken over.
 */
export function registerServiceWorker(onUpdate: (activate: () => void) => void): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  const hadController = !!sw.controller;
  let reloading = false;
  sw.addEventListener('controllerchange', () => {
    // The first install takes control silently; a later one only after the user chose to reload.
    if (!hadController || reloading) return;
    reloading = true;
    location.reload();
  });
  const offer = (w: ServiceWorker) => onUpdate(() => w.postMessage({ type: 'SKIP_WAITING' }));
  // Relative URL: sw.js sits next to index.html, wherever the page is hosted.
  sw.register('./sw.js', { scope: './' }).then(
    (reg) => {
      if (reg.waiting && sw.controller) offer(reg.waiting);
      reg.addEventListener('updatefound', () => {
        const w = reg.installing;
        w?.addEventListener('statechange', () => {
          if (w.state === 'installed' && sw.controller) offer(w);
        });
      });
    },
    (e) => console.warn('Service worker not registered; offline use unavailable:', e),
  );
}
