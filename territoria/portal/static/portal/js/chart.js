/* Chart builder of the dataset page: bars, a line or a pie from one group-by of the records API.
 *
 * The chart is one public Explore v2.1 call (`group_by`, `select`, `order_by`, `limit`), the
 * same a re-user would make: the page shows it under the chart. The form's values live in the
 * page's query string (chart, chart_by, chart_agg, chart_of), so a copied URL draws the same
 * chart; the server checked them against the schema before rendering the form. Drawn as SVG by
 * the small functions below (no library, no inline script or style: strict CSP), with the
 * values in a table beside it for screen readers and for whoever wants the figures.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  // Groups drawn: enough to read, few enough to label. Line charts follow the groups' order.
  var LIMITS = { bar: 20, pie: 8, line: 100 };
  // Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];
  var DATE_TYPES = { date: true, datetime: true };
  var WIDTH = 640;

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  /* ODSQL field reference, back-quoted (a doubled back-quote stands for one). */
  function odsqlField(name) {
    return "`" + name.replace(/`/g, "``") + "`";
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgElement(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, String(attributes[name])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A tooltip for an SVG shape: its <title> child, read by browsers and assistive technology. */
  function titled(node, text) {
    node.appendChild(svgElement("title", {}, text));
    return node;
  }

  /* The records API parameters of a chart: one group-by, one aggregate named y. */
  function chartParams(state, fields) {
    var field = fields[state.by] || { type: "string" };
    var key = odsqlField(state.by);
    if (DATE_TYPES[field.type]) key = "year(" + key + ")";
    var value = state.agg === "count" ? "count(*)" : state.agg + "(" + odsqlField(state.of) + ")";
    var params = new URLSearchParams();
    params.set("group_by", key + " as x");
    params.set("select", value + " as y");
    // Bars and slices: the largest groups; a line: the groups in their order (the API's default).
    if (state.kind !== "line") params.set("order_by", "y desc");
    params.set("limit", String(LIMITS[state.kind] || LIMITS.bar));
    return params;
  }

  /* Round tick values covering [low, high]: 1, 2 or 5 times a power of ten apart. */
  function ticks(low, high, count) {
    if (high === low) high = low + 1;
    var raw = (high - low) / count;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * power; }).find(function (s) { return s >= raw; });
    var values = [];
    for (var v = Math.floor(low / step) * step; v <= high + step / 2; v += step) values.push(Number(v.toPrecision(12)));
    return values;
  }

  function linear(domainLow, domainHigh, rangeLow, rangeHigh) {
    var span = domainHigh - domainLow || 1;
    return function (v) { return rangeLow + (v - domainLow) / span * (rangeHigh - rangeLow); };
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function Chart(root, form) {
    this.root = root;
    this.form = form;
    this.url = root.getAttribute("data-records-url");
    var config = JSON.parse(root.getAttribute("data-config") || "{}");
    this.state = config.state;
    this.params = config.params || [];
    this.fields = {};
    var self = this;
    (config.groups || []).concat(config.measures || []).forEach(function (f) { self.fields[f.name] = f; });
    this.msg = {};
    Array.prototype.forEach.call(root.attributes, function (attribute) {
      if (attribute.name.indexOf("data-msg-") === 0) self.msg[attribute.name.slice(9)] = attribute.value;
    });
    var lang = document.documentElement.lang || "fr";
    this.numberFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    this.sequence = 0;
  }

  Chart.prototype.build = function () {
    var self = this;
    this.status = element("p", { "class": "chart-status", "aria-live": "polite" });
    this.error = element("p", { "class": "chart-error", role: "alert" });
    this.figure = element("figure", { "class": "chart-figure" });
    this.note = element("p", { "class": "chart-note" });
    this.details = element("details", { "class": "chart-data" });
    this.details.appendChild(element("summary", {}, this.msg.table));
    this.tableHolder = element("div", { "class": "table-scroll" });
    this.details.appendChild(this.tableHolder);
    var api = element("p", { "class": "chart-api" });
    api.appendChild(element("span", {}, (this.msg.api || "") + " "));
    this.apiLink = element("a", { "class": "chart-api-link" });
    api.appendChild(this.apiLink);
    [this.status, this.error, this.figure, this.note, this.details, api].forEach(function (n) { self.root.appendChild(n); });
    if (this.form) {
      this.form.addEventListener("change", function () { self.fromForm(); });
      this.form.addEventListener("submit", function (event) { event.preventDefault(); self.fromForm(); });
      this.syncForm();
    }
  };

  /* The numeric-field select only means something for a sum or an average. */
  Chart.prototype.syncForm = function () {
    var of = this.form.elements.namedItem("chart_of");
    if (of) of.disabled = this.state.agg === "count";
  };

  Chart.prototype.fromForm = function () {
    var elements = this.form.elements;
    var value = function (name) { var e = elements.namedItem(name); return e ? e.value : null; };
    this.state = { kind: value("chart"), by: value("chart_by"), agg: value("chart_agg") || "count", of: value("chart_of") };
    if (this.state.agg === "count") this.state.of = null;
    this.syncForm();
    // The page's URL now describes this chart: copy it, reload it, the same chart comes back.
    var url = new URL(window.location.href);
    var state = this.state;
    var keys = { chart: state.kind, chart_by: state.by, chart_agg: state.agg, chart_of: state.of };
    this.params.forEach(function (name) {
      if (keys[name]) url.searchParams.set(name, keys[name]);
      else url.searchParams.delete(name);
    });
    url.hash = "chart";
    window.history.replaceState(null, "", url.toString());
    this.load();
  };

  Chart.prototype.load = function () {
    var self = this;
    var sequence = ++this.sequence;
    var query = this.url + "?" + chartParams(this.state, this.fields).toString();
    this.apiLink.setAttribute("href", query);
    this.apiLink.textContent = decodeURIComponent(query);
    this.root.setAttribute("aria-busy", "true");
    this.status.textContent = this.msg.loading || "";
    fetch(query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(
          function (body) { return { ok: response.ok, body: body }; },
          function () { return { ok: false, body: {} }; }
        );
      })
      .then(function (result) {
        if (sequence !== self.sequence) return;
        self.root.removeAttribute("aria-busy");
        if (!result.ok) {
          self.fail(result.body && result.body.message);
          return;
        }
        self.error.textContent = "";
        self.render(result.body.results || [], result.body.total_count || 0);
      })
      .catch(function () {
        if (sequence !== self.sequence) return;
        self.root.removeAttribute("aria-busy");
        self.fail(null);
      });
  };

  Chart.prototype.fail = function (message) {
    this.status.textContent = "";
    this.figure.textContent = "";
    this.error.textContent = message ? format(this.msg.error, { message: message }) : this.msg.network || "";
  };

  Chart.prototype.groupLabel = function (value) {
    if (value === null || value === undefined || value === "") return this.msg["empty-group"] || "";
    return String(value); // a year or a code reads without a group separator: 2024, not 2 024
  };

  Chart.prototype.titles = function () {
    var state = this.state;
    var of = state.of && this.fields[state.of] ? this.fields[state.of].title : state.of;
    var by = this.fields[state.by] ? this.fields[state.by].title : state.by;
    var value = state.agg === "count" ? this.msg.count : format(this.msg[state.agg], { field: of });
    return { value: value, group: by, title: format(this.msg.title, { value: value, group: by }) };
  };

  Chart.prototype.render = function (rows, total) {
    var self = this;
    var points = rows.map(function (row) {
      var y = typeof row.y === "number" ? row.y : 0;
      return { label: self.groupLabel(row.x), value: y, text: row.y === null ? "" : self.numberFormat.format(y) };
    });
    var titles = this.titles();
    this.figure.textContent = "";
    this.status.textContent = "";
    if (!points.length) {
      this.status.textContent = this.msg.empty || "";
      this.tableHolder.textContent = "";
      this.note.textContent = "";
      return;
    }
    var draw = { bar: drawBars, line: drawLine, pie: drawPie }[this.state.kind] || drawBars;
    var svg = draw(points);
    var summary = format(this.msg[this.state.kind] || this.msg.bar, {
      title: titles.title, shown: points.length, total: total,
    });
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", summary);
    svg.setAttribute("class", "chart-svg chart-" + this.state.kind);
    this.figure.appendChild(svg);
    this.figure.appendChild(element("figcaption", {}, titles.title));
    this.note.textContent = total > points.length ? format(this.msg.more, { shown: points.length, total: total }) : "";
    this.tableHolder.textContent = "";
    this.tableHolder.appendChild(this.table(points, titles));
  };

  Chart.prototype.table = function (points, titles) {
    var table = element("table", { "class": "table chart-table" });
    table.appendChild(element("caption", {}, titles.title));
    var head = element("tr");
    head.appendChild(element("th", { scope: "col" }, titles.group));
    head.appendChild(element("th", { scope: "col" }, titles.value));
    var thead = element("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = element("tbody");
    points.forEach(function (point) {
      var tr = element("tr");
      tr.appendChild(element("th", { scope: "row" }, point.label));
      tr.appendChild(element("td", { "class": "number" }, point.text));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  };

  /* Horizontal bars: long category names stay readable on the left. */
  function drawBars(points) {
    var row = 26, left = 190, right = 80, top = 8;
    var height = top * 2 + row * points.length;
    var svg = svgElement("svg", { viewBox: "0 0 " + WIDTH + " " + height, width: "100%" });
    var values = points.map(function (p) { return p.value; });
    var low = Math.min(0, Math.min.apply(null, values));
    var high = Math.max(0, Math.max.apply(null, values));
    var x = linear(low, high, left, WIDTH - right);
    var zero = x(0);
    points.forEach(function (point, index) {
      var y = top + index * row;
      var start = Math.min(zero, x(point.value));
      var bar = svgElement("rect", {
        "class": "chart-bar", x: start.toFixed(1), y: y + 3, height: row - 6,
        width: Math.max(1, Math.abs(x(point.value) - zero)).toFixed(1), fill: PALETTE[0],
      });
      svg.appendChild(titled(bar, point.label + " : " + point.text));
      svg.appendChild(svgElement("text", {
        "class": "chart-label", x: left - 8, y: y + row / 2, "text-anchor": "end", "dominant-baseline": "middle",
      }, shorten(point.label, 28)));
      svg.appendChild(svgElement("text", {
        "class": "chart-value", x: Math.max(zero, x(point.value)) + 6, y: y + row / 2, "dominant-baseline": "middle",
      }, point.text));
    });
    svg.appendChild(svgElement("line", { x1: zero, x2: zero, y1: top, y2: height - top, stroke: "#4d4d57" }));
    return svg;
  }

  /* A line through the groups in their order (years, months…), with a value axis. */
  function drawLine(points) {
    var height = 320, left = 70, right = 20, top = 16, bottom = 48;
    var svg = svgElement("svg", { viewBox: "0 0 " + WIDTH + " " + height, width: "100%" });
    var values = points.map(function (p) { return p.value; });
    var scale = ticks(Math.min(0, Math.min.apply(null, values)), Math.max.apply(null, values), 5);
    var y = linear(scale[0], scale[scale.length - 1], height - bottom, top);
    var step = points.length > 1 ? (WIDTH - left - right) / (points.length - 1) : 0;
    var x = function (index) { return points.length > 1 ? left + index * step : (left + WIDTH - right) / 2; };
    var numberFormat = new Intl.NumberFormat(document.documentElement.lang || "fr", { notation: "compact" });
    scale.forEach(function (tick) {
      svg.appendChild(svgElement("line", { x1: left, x2: WIDTH - right, y1: y(tick), y2: y(tick), stroke: "#d9d9e0" }));
      svg.appendChild(svgElement("text", {
        "class": "chart-axis", x: left - 6, y: y(tick), "text-anchor": "end", "dominant-baseline": "middle",
      }, numberFormat.format(tick)));
    });
    var every = Math.max(1, Math.ceil(points.length / 10));
    var path = points.map(function (p, i) { return (i ? "L" : "M") + x(i).toFixed(1) + " " + y(p.value).toFixed(1); });
    svg.appendChild(svgElement("path", { "class": "chart-line", d: path.join(" "), fill: "none", stroke: PALETTE[0], "stroke-width": 2.5 }));
    points.forEach(function (point, index) {
      var dot = svgElement("circle", { "class": "chart-point", cx: x(index).toFixed(1), cy: y(point.value).toFixed(1), r: 4, fill: PALETTE[0] });
      svg.appendChild(titled(dot, point.label + " : " + point.text));
      if (index % every === 0) {
        svg.appendChild(svgElement("text", {
          "class": "chart-axis", x: x(index).toFixed(1), y: height - bottom + 18, "text-anchor": "middle",
        }, shorten(point.label, 12)));
      }
    });
    return svg;
  }

  /* Slices of a whole (values below zero cannot be a part: they are left to the table). */
  function drawPie(points) {
    var positive = points.filter(function (p) { return p.value > 0; });
    var sum = positive.reduce(function (s, p) { return s + p.value; }, 0);
    var height = Math.max(260, 24 * positive.length + 20);
    var svg = svgElement("svg", { viewBox: "0 0 " + WIDTH + " " + height, width: "100%" });
    var cx = 130, cy = height / 2, r = 115, angle = -Math.PI / 2;
    positive.forEach(function (point, index) {
      var share = point.value / sum;
      var colour = PALETTE[index % PALETTE.length];
      var slice;
      if (share >= 0.9999) {
        slice = svgElement("circle", { "class": "chart-slice", cx: cx, cy: cy, r: r, fill: colour });
      } else {
        var end = angle + share * 2 * Math.PI;
        var d = ["M", cx, cy, "L", cx + r * Math.cos(angle), cy + r * Math.sin(angle),
          "A", r, r, 0, share > 0.5 ? 1 : 0, 1, cx + r * Math.cos(end), cy + r * Math.sin(end), "Z"];
        slice = svgElement("path", { "class": "chart-slice", d: d.join(" "), fill: colour, stroke: "#fff", "stroke-width": 1.5 });
        angle = end;
      }
      var percent = (share * 100).toFixed(1) + " %";
      svg.appendChild(titled(slice, point.label + " : " + point.text + " (" + percent + ")"));
      var y = 20 + index * 24;
      svg.appendChild(svgElement("rect", { x: 280, y: y - 8, width: 14, height: 14, fill: colour }));
      svg.appendChild(svgElement("text", { "class": "chart-label", x: 302, y: y, "dominant-baseline": "middle" },
        shorten(point.label, 30) + " — " + percent));
    });
    return svg;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (root) {
      var section = root.closest("section");
      var chart = new Chart(root, section ? section.querySelector("[data-chart-form]") : null);
      if (!chart.state) return;
      chart.build();
      chart.load();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
