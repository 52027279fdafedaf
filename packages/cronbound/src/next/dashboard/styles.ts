// The dashboard's styles, inlined by <Dashboard> in a <style> element so an app needs no CSS
// import. Scoped under .cronbound so they never restyle the host app. Colours are CSS variables
// an app may override on .cronbound.
export const DASHBOARD_CSS = `
.cronbound { --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3; --bg: #fbfcfd; --accent: #2457c5; --ok: #1f7a3a; --bad: #b42318; --warn: #9a6700;
  color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
.cronbound * { box-sizing: border-box; }
.cronbound a { color: var(--accent); }
.cronbound table { border-collapse: collapse; width: 100%; }
.cronbound th, .cronbound td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); font-size: 14px; }
.cronbound input, .cronbound select, .cronbound textarea, .cronbound button { font: inherit; }
.cronbound input, .cronbound select, .cronbound textarea { padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
.cronbound button { padding: 6px 14px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; cursor: pointer; }
.cronbound button.secondary { background: #fff; color: var(--accent); }
.cronbound .notice { padding: 8px 12px; border: 1px solid var(--warn); color: var(--warn); border-radius: 6px; background: #fff8e6; }
.cronbound .dash h1 { margin: 8px 0 16px; }
.cronbound .dash h2 { margin: 28px 0 8px; font-size: 17px; }
.cronbound .dash.narrow { max-width: 480px; }
.cronbound .dash .muted, .cronbound .muted { color: var(--muted); }
.cronbound .dash-bar { display: flex; justify-content: space-between; align-items: flex-start; gap: 16px; }
.cronbound .dash-bar .notice { margin: 0; flex: 1; }
.cronbound .dash-actions, .cronbound .job-actions { display: flex; gap: 8px; }
.cronbound .job-actions { margin-bottom: 16px; }
.cronbound button.danger { background: var(--bad); border-color: var(--bad); }
.cronbound .flash { padding: 8px 12px; border-radius: 6px; margin: 12px 0 0; }
.cronbound .flash.ok { background: #e9f6ee; color: var(--ok); border: 1px solid #b7e1c5; }
.cronbound .flash.bad { background: #fdeceb; color: var(--bad); border: 1px solid #f4c2bd; }
.cronbound .cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; }
.cronbound .cards.small { grid-template-columns: repeat(4, 1fr); margin-top: 12px; }
.cronbound .card { display: flex; flex-direction: column; padding: 12px 14px; background: #fff; border: 1px solid var(--line); border-radius: 8px; text-decoration: none; color: var(--fg); border-top-width: 3px; }
.cronbound .card-value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.cronbound .cards.small .card-value { font-size: 18px; }
.cronbound .card-label { color: var(--muted); font-size: 13px; }
.cronbound .card.s-pending { border-top-color: #8c959f; } .cronbound .card.s-processing { border-top-color: var(--accent); }
.cronbound .card.s-completed { border-top-color: var(--ok); } .cronbound .card.s-failed { border-top-color: var(--bad); } .cronbound .card.s-cancelled { border-top-color: var(--warn); }
.cronbound .badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; line-height: 20px; vertical-align: middle; background: #eef1f4; color: var(--muted); }
.cronbound .badge.s-processing { background: #e6edfb; color: var(--accent); } .cronbound .badge.s-completed { background: #e9f6ee; color: var(--ok); }
.cronbound .badge.s-failed { background: #fdeceb; color: var(--bad); } .cronbound .badge.s-cancelled { background: #fff8e6; color: var(--warn); }
.cronbound td.num, .cronbound th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cronbound td.err { color: var(--bad); font-family: ui-monospace, monospace; font-size: 12px; max-width: 420px; overflow-wrap: anywhere; }
.cronbound .chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
.cronbound .chart .grid { stroke: var(--line); stroke-width: 1; }
.cronbound .chart .axis { fill: var(--muted); font-size: 10px; }
.cronbound .chart .bar-ok { fill: var(--ok); } .cronbound .chart .bar-bad { fill: var(--bad); }
.cronbound .key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: middle; }
.cronbound .key.ok { background: var(--ok); } .cronbound .key.bad { background: var(--bad); }
.cronbound .filters { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
.cronbound .pager { display: flex; gap: 16px; margin-top: 12px; }
.cronbound .progress { position: relative; height: 22px; background: #eef1f4; border-radius: 6px; overflow: hidden; margin-bottom: 16px; }
.cronbound .progress-bar { height: 100%; background: var(--accent); }
.cronbound .progress span { position: absolute; inset: 0; text-align: center; font-size: 12px; line-height: 22px; }
.cronbound table.facts th { width: 160px; color: var(--muted); font-weight: 500; }
.cronbound pre.json { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow: auto; font-size: 13px; }
.cronbound form.login { display: flex; flex-direction: column; gap: 12px; }
.cronbound form.login label { display: flex; flex-direction: column; gap: 4px; }
.cronbound .filters { flex-wrap: wrap; }
.cronbound .filters.search input { min-width: 340px; }
.cronbound .filters.limit-form input { width: 7em; }
.cronbound .live { font-size: 13px; white-space: nowrap; }
.cronbound .bulk { margin: 8px 0 12px; }
.cronbound .bulk .notice p { margin: 0 0 8px; }
.cronbound .badge.s-waiting { background: #f3ecfb; color: #6b3fa0; }
.cronbound .waits { margin: 16px 0 0; padding: 8px 12px; border: 1px solid #d9c7f0; border-radius: 6px; background: #faf7fe; }
.cronbound .waits ul { margin: 4px 0 0; padding-left: 20px; }
`;
