// The interface's words in the page's language. Every string a script shows is written
// here in English inside `_()` or `ngettext()`, where `pybabel extract` finds it; the build
// puts its translations into the page (#timeline-strings), and without them (an English
// site) the English is shown. Plural forms are picked by the page language's CLDR rules.
const element = document.getElementById("timeline-strings");
const table = element ? JSON.parse(element.textContent) : {};
const lang = document.documentElement.lang || "en";
const rules = new Intl.PluralRules(lang);
// The CLDR locale the build wrote dates in (`en` is written as international English).
const dateLocale = document.documentElement.dataset.locale || lang;

// `%(name)s` / `%(name)d` placeholders, as in the catalogs' python-format strings.
function fill(text, values) {
  return text.replace(/%\((\w+)\)[sd]/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

export function _(message, values = {}) {
  return fill(table[message] ?? message, values);
}

export function ngettext(singular, plural, n, values = {}) {
  const forms = table[singular];
  const text = forms ? (forms[rules.select(n)] ?? forms.other) : n === 1 ? singular : plural;
  return fill(text, { num: n, ...values });
}

// A month of a year in the page's language ("February 2019", "2019년 2월"), by the
// browser's CLDR data.
export function monthText(year, monthIndex) {
  const date = new Date(Date.UTC(2000, monthIndex, 1));
  date.setUTCFullYear(year);
  return date.toLocaleDateString(dateLocale, { month: "long", year: "numeric", timeZone: "UTC" });
}

// A day in the page's language ("2 May 2024").
export function dayText(date) {
  return date.toLocaleDateString(dateLocale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}
