"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * Live refresh: every `intervalMs` while the tab is visible, re-render the page on the server
 * (router.refresh): the URL (and so the filters), the scroll position and what is typed in the
 * forms stay as they are; only the server-rendered parts change. Each refresh is an ordinary
 * request for the page, which checks access before its first query as every render does; a
 * session that ended sends the browser to the sign-in form. The checkbox turns it off.
 */
export function LiveRefresh({ intervalMs = 3_000 }: { intervalMs?: number }) {
  const router = useRouter();
  const [on, setOn] = useState(true);
  const [at, setAt] = useState<string>("");
  useEffect(() => {
    if (!on) return;
    const tick = () => {
      if (document.visibilityState !== "visible") return;
      router.refresh();
      setAt(new Date().toISOString().slice(11, 19));
    };
    const timer = setInterval(tick, intervalMs);
    return () => clearInterval(timer);
  }, [on, intervalMs, router]);
  return (
    <label className="live muted" data-testid="live">
      <input type="checkbox" checked={on} onChange={(ev) => setOn(ev.target.checked)} data-testid="live-toggle" /> live
      {on && at ? <span data-testid="live-at"> · refreshed {at} UTC</span> : null}
    </label>
  );
}
