// Search and filters for the timeline, tag and embed pages, on a static host.
//
// Tag and year filters work on the data attributes of the events already on the page, so
// they are instant. A text query goes to Pagefind's index, downloaded the first time someone
// searches. Events that do not match get the `hidden` attribute; the query and filters live
// in the URL, so a link reproduces the view and back/forward move between views. On a long
// timeline split into pages, matches on other pages are counted and linked. Without
// JavaScript the form stays hidden and the whole timeline shows.

const DEBOUNCE_MS = 80;
const FIELDS = ["q", "tag", "period", "from", "to"];

const form = document.querySelector("[data-timeline-search]");
if (form) {
  setUp(form);
}

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
    period: fields.period ? fields.period.value : "",
    from: fields.from.value,
    to: fields.to.value,
  });

  function writeFields(state) {
    fields.q.value = state.q;
    for (const name of ["tag", "period", "from", "to"]) {
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

  // The overview strip shows what the list shows: marks of hidden events are dimmed.
  function dimOverview() {
    const hidden = new Set(items.filter((item) => item.hidden).map((item) => item.dataset.slug));
    for (const mark of document.querySelectorAll(".overview__marks [data-slug]")) {
      mark.classList.toggle("overview__mark--dimmed", hidden.has(mark.dataset.slug));
    }
  }

  async function apply({ push }) {
    const state = readState();
    const run = ++generation;
    const facets = Boolean(state.tag || state.period || state.from || state.to);
    const ask = state.q || (split && facets);
    const matches = ask ? await search(state.q || null, pagefindFilters(state)) : null;
    if (run !== generation) return; // a newer query has started; drop this one
    show(state, matches);
    showElsewhere(matches, state);
    timeline?.classList.toggle("filtering", Boolean(state.q) || facets);
    updateUrl(state, push);
  }

  function show(state, matches) {
    const years = yearRange(state.from, state.to);
    let visible = 0;
    for (const item of items) {
      const hit = matches ? matches.get(item.dataset.slug) : undefined;
      const keep =
        (!matches || hit !== undefined) &&
        (!state.tag || item.dataset.tags.split(" ").includes(state.tag)) &&
        inPeriod(item, state.period) &&
        overlaps(item.dataset.years, years);
      item.hidden = !keep;
      excerpts.show(item, keep && state.q ? hit.result : undefined, state.q);
      if (keep) visible += 1;
    }
    for (const group of groups) {
      group.hidden = !group.querySelector("li.event-item:not([hidden])");
    }
    dimOverview();
    if (noResults) noResults.hidden = visible > 0;
    const text = `${visible} of ${items.length} events${split ? " on this page" : ""}`;
    if (status.textContent !== text) status.textContent = text;
  }

  // On a timeline split into pages: how many matches each other page holds, with links.
  function showElsewhere(matches, state) {
    const counts = new Map();
    for (const [slug, hit] of matches || []) {
      const href = yearPages.get(String(hit.year));
      if (onPage.has(slug) || !href || href.startsWith("#")) continue;
      counts.set(hit.year, (counts.get(hit.year) || 0) + 1);
    }
    elsewhere.hidden = counts.size === 0;
    if (counts.size === 0) {
      elsewhere.replaceChildren();
      return;
    }
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const intro = document.createElement("p");
    intro.textContent = `${total} more matching event${total === 1 ? "" : "s"} on other pages:`;
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
  }

  // The same facets as Pagefind filters, so the index only returns pages that can show.
  function pagefindFilters(state) {
    const filters = {};
    if (state.tag) filters.tag = state.tag;
    const fixedTag = form.dataset.tag;
    if (fixedTag) filters.tag = fixedTag;
    if (state.period) filters.period = state.period;
    if (state.from || state.to) {
      const [low, high] = yearRange(state.from, state.to);
      filters.year = {
        any: [...fields.from.options]
          .map((option) => option.value)
          .filter((year) => year !== "" && Number(year) >= low && Number(year) <= high),
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
    writeFields({ q: "", tag: "", period: "", from: "", to: "" });
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
  for (const name of ["tag", "period", "from", "to"]) {
    fields[name]?.addEventListener("change", () => apply({ push: true }));
  }
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
      if (page) matches.set(page[0], { result, year: page[1] });
    }
    return matches;
  };
}

function yearRange(from, to) {
  let low = from ? Number(from) : -Infinity;
  let high = to ? Number(to) : Infinity;
  if (low > high) [low, high] = [high, low];
  return [low, high];
}

function overlaps(yearList, [low, high]) {
  if (low === -Infinity && high === Infinity) return true;
  return yearList.split(" ").some((year) => year !== "" && Number(year) >= low && Number(year) <= high);
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

// A mark on the overview strip whose event is on this page scrolls to its card and focuses
// its link, instead of leaving the timeline (without JavaScript the link opens the event).
for (const link of document.querySelectorAll(".overview__marks a[href]")) {
  link.addEventListener("click", (event) => {
    const slug = link.querySelector("[data-slug]")?.dataset.slug;
    const card = slug && document.getElementById(slug);
    if (!card || card.closest("[hidden]")) return;
    event.preventDefault();
    card.scrollIntoView({ block: "center" });
    card.querySelector("a")?.focus({ preventScroll: true });
    history.replaceState(null, "", `#${slug}`);
  });
}
