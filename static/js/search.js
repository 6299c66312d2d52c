// Search and filters for the timeline, tag, period and embed pages, on a static host; and
// the point the timeline opens at.
//
// Tag, period and span filters work on the data attributes of the events already on the
// page, so they are instant. A span (`from`/`to`) is a year or a month (`2019-02`): the
// selects offer years, and a month chosen on the overview strip (overview.js, through the
// `timeline:span` event) is added to them. A text query goes to Pagefind's index,
// downloaded the first time someone searches. Events that do not match get the `hidden`
// attribute; the query and filters live in the URL, so a link reproduces the view and
// back/forward move between views. On a long timeline split into pages, matches on other
// pages are counted and linked. After each change a `timeline:shown` event tells the strip
// what is shown. Without JavaScript the form stays hidden and the whole timeline shows.

// The strip listens to this script's events, so it must be listening before the first.
import "./overview.js";
import "./visits.js";
import { monthText, ngettext } from "./strings.js";

const DEBOUNCE_MS = 80;
const FIELDS = ["q", "tag", "entity", "status", "period", "from", "to"];
const FACETS = FIELDS.slice(1);
const SPAN_RE = /^(-?\d{1,6})(?:-(0[1-9]|1[0-2]))?$/;

const form = document.querySelector("[data-timeline-search]");
foldableEmbedPanel();
if (form) {
  setUp(form);
}
openAtStart();

function setUp(form) {
  const base = form.dataset.base || "/";
  const fields = Object.fromEntries(FIELDS.map((name) => [name, form.elements.namedItem(name)]));
  const status = form.querySelector("[role=status]");
  const elsewhere = form.querySelector(".search-elsewhere");
  const timeline = document.getElementById("timeline");
  const items = [...document.querySelectorAll("li.event-item")];
  const onPage = new Set(items.map((item) => item.dataset.slug));
  const groups = [...document.querySelectorAll("[data-year-group]")];
  const noResults = document.querySelector(".no-results");
  const yearPages = yearLinks();
  const split = [...yearPages.values()].some((href) => !href.startsWith("#"));
  const search = pagefindSearch(base);
  const excerpts = lazyExcerpts();
  let generation = 0;
  let timer = 0;

  const readState = () => ({
    q: fields.q.value.trim(),
    tag: fields.tag ? fields.tag.value : "",
    entity: fields.entity ? fields.entity.value : "",
    status: fields.status ? fields.status.value : "",
    period: fields.period ? fields.period.value : "",
    from: fields.from.value,
    to: fields.to.value,
  });

  function writeFields(state) {
    fields.q.value = state.q;
    for (const name of ["from", "to"]) addMonthOption(fields[name], state[name]);
    for (const name of FACETS) {
      if (fields[name]) setSelect(fields[name], state[name]);
    }
  }

  // An event is in a period when its first possible day lies within the period's days
  // (the same rule as the build's), read from the selected option.
  function inPeriod(item, slug) {
    if (!slug) return true;
    const option = fields.period?.querySelector(`option[value="${CSS.escape(slug)}"]`);
    if (!option) return true;
    const start = item.dataset.start;
    return start >= option.dataset.from && start <= option.dataset.to;
  }

  async function apply({ push }) {
    const state = readState();
    const run = ++generation;
    const facets = FACETS.some((name) => state[name]);
    const ask = state.q || (split && facets);
    const matches = ask ? await search(state.q || null, pagefindFilters(state)) : null;
    if (run !== generation) return; // a newer query has started; drop this one
    const shown = show(state, matches);
    const elsewhere = showElsewhere(matches, state);
    const filtering = Boolean(state.q) || facets;
    timeline?.classList.toggle("filtering", filtering);
    updateUrl(state, push);
    announce(state, filtering, [...shown, ...elsewhere]);
  }

  // Hides what does not match; returns the [slug, first day] of the events left showing.
  function show(state, matches) {
    const span = spanKeys(state.from, state.to);
    const shown = [];
    for (const item of items) {
      const hit = matches ? matches.get(item.dataset.slug) : undefined;
      const keep =
        (!matches || hit !== undefined) &&
        (!state.tag || item.dataset.tags.split(" ").includes(state.tag)) &&
        (!state.entity || item.dataset.entities.split(" ").includes(state.entity)) &&
        (!state.status || item.dataset.status === state.status) &&
        inPeriod(item, state.period) &&
        withinSpan(item.dataset.start, item.dataset.end, span);
      item.hidden = !keep;
      excerpts.show(item, keep && state.q ? hit.result : undefined, state.q);
      if (keep) shown.push([item.dataset.slug, item.dataset.start]);
    }
    for (const group of groups) {
      group.hidden = !group.querySelector("li.event-item:not([hidden])");
    }
    if (noResults) noResults.hidden = shown.length > 0;
    const values = { shown: shown.length };
    const text = split
      ? ngettext("%(shown)s of %(num)d event on this page", "%(shown)s of %(num)d events on this page", items.length, values)
      : ngettext("%(shown)s of %(num)d event", "%(shown)s of %(num)d events", items.length, values);
    if (status.textContent !== text) status.textContent = text;
    return shown;
  }

  // Tells the overview strip (and the embed's summary) what the list now shows, the
  // matches on other pages included.
  function announce(state, filtering, shown) {
    const detail = { state, filtering, shown: new Map(shown), status: status.textContent };
    document.dispatchEvent(new CustomEvent("timeline:shown", { detail }));
  }

  // On a timeline split into pages: how many matches each other page holds, with links.
  // Returns the [slug, first day] of those matches.
  function showElsewhere(matches, state) {
    const counts = new Map();
    const found = [];
    const span = spanKeys(state.from, state.to);
    for (const [slug, hit] of matches || []) {
      const href = yearPages.get(String(hit.year));
      if (onPage.has(slug) || !href || href.startsWith("#")) continue;
      if (hit.start && !withinSpan(hit.start, hit.end, span)) continue;
      counts.set(hit.year, (counts.get(hit.year) || 0) + 1);
      found.push([slug, hit.start]);
    }
    elsewhere.hidden = counts.size === 0;
    if (counts.size === 0) {
      elsewhere.replaceChildren();
      return found;
    }
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const intro = document.createElement("p");
    intro.textContent = ngettext("%(num)d more matching event on other pages:", "%(num)d more matching events on other pages:", total);
    const list = document.createElement("ul");
    const query = queryString(state);
    for (const year of [...counts.keys()].sort((a, b) => a - b)) {
      const link = document.createElement("a");
      const [path, anchor] = yearPages.get(String(year)).split("#");
      link.href = `${path}${query ? `?${query}` : ""}#${anchor}`;
      link.textContent = `${year} (${counts.get(year)})`;
      const entry = document.createElement("li");
      entry.append(link);
      list.append(entry);
    }
    elsewhere.replaceChildren(intro, list);
    return found;
  }

  // The same facets as Pagefind filters, so the index only returns pages that can show.
  function pagefindFilters(state) {
    const filters = {};
    if (state.tag) filters.tag = state.tag;
    if (form.dataset.tag) filters.tag = form.dataset.tag;
    if (state.entity) filters.entity = state.entity;
    if (form.dataset.entity) filters.entity = form.dataset.entity;
    if (state.status) filters.status = state.status;
    if (state.period) filters.period = state.period;
    if (form.dataset.period) filters.period = form.dataset.period;
    if (state.from || state.to) {
      // Pagefind knows years only: ask for the years the span touches, then keep the
      // matches within it to the month (`withinSpan`, with the days of the page map).
      const [low, high] = yearRange(state.from, state.to);
      filters.year = {
        any: [...fields.from.options]
          .map((option) => option.value)
          .filter((year) => /^-?\d+$/.test(year) && Number(year) >= low && Number(year) <= high),
      };
    }
    return filters;
  }

  function updateUrl(state, push) {
    const query = queryString(state);
    const target = location.pathname + (query ? `?${query}` : "") + location.hash;
    if (target === location.pathname + location.search + location.hash) return;
    history[push ? "pushState" : "replaceState"](null, "", target);
  }

  function fromUrl() {
    const params = new URLSearchParams(location.search);
    writeFields(Object.fromEntries(FIELDS.map((name) => [name, params.get(name) || ""])));
  }

  function clear() {
    writeFields(Object.fromEntries(FIELDS.map((name) => [name, ""])));
    apply({ push: true });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    apply({ push: true });
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    clear();
  });
  fields.q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => apply({ push: true }), DEBOUNCE_MS);
  });
  fields.q.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && fields.q.value) {
      event.preventDefault();
      fields.q.value = "";
      clearTimeout(timer);
      apply({ push: true });
    }
  });
  for (const name of FACETS) {
    fields[name]?.addEventListener("change", () => apply({ push: true }));
  }
  // A span chosen on the overview strip: both ends at once, then one update.
  form.addEventListener("timeline:span", (event) => {
    writeFields({ ...readState(), from: event.detail.from, to: event.detail.to });
    apply({ push: event.detail.push });
  });
  for (const button of document.querySelectorAll("[data-search-clear]")) {
    button.addEventListener("click", () => {
      clear();
      fields.q.focus();
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isEditable(event.target)) return;
    event.preventDefault();
    fields.q.focus();
    fields.q.select();
  });
  window.addEventListener("popstate", () => {
    fromUrl();
    apply({ push: false });
  });

  fromUrl();
  if (location.search) apply({ push: false });
}

// A month value (`2019-02`) is not among the selects' years: add it as an option, in
// order, and drop the months added before (a select holds at most one).
function addMonthOption(select, value) {
  for (const option of select.querySelectorAll("option[data-month]")) {
    if (option.value !== value) option.remove();
  }
  const match = SPAN_RE.exec(value || "");
  if (!match || !match[2] || [...select.options].some((option) => option.value === value)) return;
  const option = new Option(monthText(Number(match[1]), Number(match[2]) - 1), value);
  option.dataset.month = "";
  const year = Number(match[1]);
  const after = [...select.options].filter((o) => /^-?\d+$/.test(o.value) && Number(o.value) <= year);
  (after.at(-1) || select.options[0]).after(option);
}

// `from`/`to` values -> [first day, last day] as day keys (`model.day_key`, the digits the
// build writes into data-start/data-end), null for an open end; reversed ends are swapped.
function spanKeys(from, to) {
  let low = spanKey(from, false);
  let high = spanKey(to, true);
  if (low && high && low > high) [low, high] = [spanKey(to, false), spanKey(from, true)];
  return [low, high];
}

function spanKey(value, last) {
  const match = SPAN_RE.exec(value || "");
  if (!match) return null;
  const year = Math.max(Math.min(Number(match[1]), 999999), -999999) + 1000000;
  const month = match[2] || (last ? "12" : "01");
  return `${String(year).padStart(7, "0")}${month}${last ? "31" : "01"}`;
}

// An event is within a span when the days its date allows overlap the span's.
function withinSpan(start, end, [low, high]) {
  return (!low || end >= low) && (!high || start <= high);
}

// Year -> link to the place that year is shown (`#year-1962`, or another page's URL).
function yearLinks() {
  const links = new Map();
  for (const entry of document.querySelectorAll("[data-year-link]")) {
    links.set(entry.dataset.yearLink, entry.querySelector("a").getAttribute("href"));
  }
  return links;
}

function queryString(state) {
  const params = new URLSearchParams();
  for (const key of FIELDS) {
    if (state[key]) params.set(key, state[key]);
  }
  return params.toString();
}

// Returns a function: (query, filters) -> Map(slug -> {result, year}) of matching events.
// Results are mapped to events through timeline-pages.json (written by the build), so no
// per-result request is needed to know which events match.
function pagefindSearch(base) {
  let loading = null;
  // A large site's index comes in several bundles (see search.py), merged here.
  const load = () => {
    loading ??= (async () => {
      const [pagefind, map] = await Promise.all([
        import(`${base}pagefind/pagefind.js`),
        fetch(`${base}pagefind/timeline-pages.json`).then((response) => response.json()),
      ]);
      await pagefind.options({ baseUrl: base, excerptLength: 24 });
      for (const part of map.parts) {
        await pagefind.mergeIndex(`${base}pagefind/${part}`, { baseUrl: base });
      }
      await pagefind.init();
      return [pagefind, map.pages];
    })();
    return loading;
  };
  return async (query, filters) => {
    const [pagefind, pages] = await load();
    const found = await pagefind.search(query, { filters });
    const matches = new Map();
    for (const result of found.results) {
      const page = pages[result.id];
      if (page) matches.set(page[0], { result, year: page[1], start: page[2], end: page[3] });
    }
    return matches;
  };
}

// The years a span touches, for Pagefind's year filter.
function yearRange(from, to) {
  const year = (value, open) => (SPAN_RE.test(value || "") ? Number(SPAN_RE.exec(value)[1]) : open);
  let low = year(from, -Infinity);
  let high = year(to, Infinity);
  if (low > high) [low, high] = [high, low];
  return [low, high];
}

function setSelect(select, value) {
  const known = [...select.options].some((option) => option.value === value);
  select.value = known ? value : "";
}

function isEditable(target) {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

// Pagefind's excerpts, with the matched words marked, for the matching events a reader can
// see: each is fetched when its event scrolls near the viewport, not for every match.
function lazyExcerpts() {
  const pending = new Map();
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const wanted = pending.get(entry.target);
        observer.unobserve(entry.target);
        pending.delete(entry.target);
        if (wanted) {
          wanted.result.data().then((data) => {
            if (entry.target.dataset.excerptFor === wanted.key) setExcerpt(entry.target, data.excerpt);
          });
        }
      }
    },
    { rootMargin: "400px 0px" },
  );
  return {
    show(item, result, query) {
      const key = result ? `${query}\n${result.id}` : undefined;
      if (item.dataset.excerptFor === key) return;
      setExcerpt(item, null);
      observer.unobserve(item);
      pending.delete(item);
      if (result) {
        item.dataset.excerptFor = key;
        pending.set(item, { result, key });
        observer.observe(item);
      } else {
        delete item.dataset.excerptFor;
      }
    },
  };
}

// Only text and <mark> are kept from the excerpt, so nothing from the index can inject markup.
function setExcerpt(item, excerpt) {
  let box = item.querySelector(".search-excerpt");
  if (!excerpt) {
    if (box) box.remove();
    return;
  }
  if (!box) {
    box = document.createElement("p");
    box.className = "search-excerpt";
    item.querySelector("article").append(box);
  }
  const parsed = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html").body;
  const safe = [];
  for (const node of parsed.firstChild ? parsed.firstChild.childNodes : []) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      safe.push(mark);
    } else {
      safe.push(document.createTextNode(node.textContent));
    }
  }
  box.replaceChildren(...safe);
}

// The timeline opens at `start` (site.toml) unless the URL says where to look (an
// #anchor or a filter) or the reader is coming back (reload, back/forward keep their place).
function openAtStart() {
  const timeline = document.getElementById("timeline");
  if (!timeline || location.hash || location.search) return;
  const navigation = performance.getEntriesByType("navigation")[0];
  if (navigation && navigation.type !== "navigate") return;
  const card = timeline.dataset.start && document.getElementById(timeline.dataset.start);
  if (card) {
    // Not smooth: the years it would pass are drawn as it goes (content-visibility), and
    // their real heights would move the card away from where the scroll was aimed.
    card.scrollIntoView({ block: "start", behavior: "instant" });
  } else if (timeline.dataset.startPage) {
    location.replace(timeline.dataset.startPage);
  }
}

// The embed keeps its first screen for the strip and the events: search and filters
// fold behind one button, and a line says when the view is filtered (by its URL).
function foldableEmbedPanel() {
  const toggle = document.querySelector("[data-search-toggle]");
  const panel = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!panel) return;
  const summary = document.querySelector("[data-search-summary]");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("search-panel--open", open);
    if (open) panel.querySelector("input")?.focus();
  });
  document.addEventListener("timeline:shown", (event) => {
    if (summary) summary.textContent = event.detail.filtering ? event.detail.status : "";
  });
}
