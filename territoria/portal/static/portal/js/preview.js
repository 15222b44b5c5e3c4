/* Preview table of a dataset, driven by the Explore v2.1 records API.
 *
 * Reads its configuration from the data-* attributes of [data-preview] (no inline script, so
 * the page runs under a strict Content-Security-Policy). 20 rows a page, previous/next, sort
 * by a column header (aria-sort), one filter input per column turned into an ODSQL `where`
 * clause, API errors announced in a live region. Vanilla JS, no framework, no build step.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 350;
  var LONG_VALUE = 40; // characters; longer values may be cut by the CSS, the title keeps them
  var NUMBER_TYPES = { integer: true, number: true };
  var DATE_TYPES = { date: true, datetime: true };
  var TRUE_WORDS = ["true", "vrai", "oui", "yes", "1"];
  var FALSE_WORDS = ["false", "faux", "non", "no", "0"];

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  /* ODSQL string literal: double quotes, with backslashes and double quotes escaped. */
  function odsqlString(value) {
    return '"' + value.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }

  /* ODSQL field reference: back-quoted (a doubled back-quote stands for one), so that a column
   * named like a keyword (date, order…) still works. */
  function odsqlField(name) {
    return "`" + name.replace(/`/g, "``") + "`";
  }

  /* A number typed the French way ("1 234,5") or the English way ("1234.5"), as an ODSQL
   * number literal (digits, optional decimals, optional minus); null if it is not one. */
  function parseNumber(raw) {
    var text = raw.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".").replace(/^\+/, "");
    return /^-?\d+(\.\d+)?$/.test(text) ? text : null;
  }

  /* A date typed as YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY → [year, month, day] (month and
   * day possibly absent); null if it is none of these. */
  function parseDate(raw) {
    var french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
    if (french) return [french[3], french[2], french[1]];
    var iso = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(raw);
    return iso ? [iso[1], iso[2], iso[3]] : null;
  }

  /* The ODSQL `where` clause for one filter input: "" when empty, null when the input cannot
   * be a value of the column. Text: starts with (ignoring case and accents, as the engine's
   * startswith() does); numbers: equality; dates: the year, month or day given. */
  function clauseFor(field, raw) {
    var value = raw.trim();
    if (!value) return "";
    var name = odsqlField(field.name);
    if (NUMBER_TYPES[field.type]) {
      var number = parseNumber(value);
      return number === null ? null : name + " = " + number;
    }
    if (DATE_TYPES[field.type]) {
      var parts = parseDate(value);
      if (!parts) return null;
      var clauses = ["year(" + name + ") = " + parseInt(parts[0], 10)];
      if (parts[1]) clauses.push("month(" + name + ") = " + parseInt(parts[1], 10));
      if (parts[2]) clauses.push("day(" + name + ") = " + parseInt(parts[2], 10));
      return clauses.join(" and ");
    }
    if (field.type === "boolean") {
      var lowered = value.toLowerCase();
      if (TRUE_WORDS.indexOf(lowered) >= 0) return name + " is true";
      if (FALSE_WORDS.indexOf(lowered) >= 0) return name + " is false";
      return null;
    }
    return "startswith(" + name + ", " + odsqlString(value) + ")";
  }

  function filterable(field) {
    return field.type === "string" || field.type === "boolean" ||
      NUMBER_TYPES[field.type] || DATE_TYPES[field.type];
  }

  function invalidMessageKey(field) {
    if (NUMBER_TYPES[field.type]) return "not-number";
    if (DATE_TYPES[field.type]) return "not-date";
    return "not-boolean";
  }

  function hintKey(field) {
    if (NUMBER_TYPES[field.type]) return "filter-hint-number";
    if (DATE_TYPES[field.type]) return "filter-hint-date";
    if (field.type === "boolean") return "filter-hint-boolean";
    return "filter-hint-text";
  }

  function displayValue(value, field, numberFormat) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number" && NUMBER_TYPES[field.type]) return numberFormat.format(value);
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function Preview(root) {
    this.root = root;
    this.url = root.getAttribute("data-records-url");
    this.fields = JSON.parse(root.getAttribute("data-fields") || "[]");
    this.pageSize = parseInt(root.getAttribute("data-page-size"), 10) || 20;
    this.msg = {};
    var self = this;
    Array.prototype.forEach.call(root.attributes, function (attribute) {
      if (attribute.name.indexOf("data-msg-") === 0) {
        self.msg[attribute.name.slice(9)] = attribute.value;
      }
    });
    this.offset = 0;
    this.total = 0;
    this.order = null; // {name, direction: "asc" | "desc"}
    this.filters = {};
    this.sequence = 0;
    this.controller = null;
    this.timer = null;
    var lang = document.documentElement.lang || "fr";
    this.numberFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 10 });
  }

  Preview.prototype.build = function () {
    var self = this;
    var uid = "preview-" + Math.random().toString(36).slice(2, 8);
    this.status = element("p", { "class": "preview-status", "aria-live": "polite", id: uid + "-status" });
    this.error = element("p", { "class": "preview-error", role: "alert" });
    var scroll = element("div", {
      "class": "table-scroll", role: "region", tabindex: "0", "aria-label": this.msg.caption || "",
    });
    var table = element("table", { "class": "table", "aria-describedby": uid + "-status" });
    table.appendChild(element("caption", { "class": "visually-hidden" }, this.msg.caption || ""));
    var head = element("thead");
    var names = element("tr");
    var filters = element("tr", { "class": "filter-row" });
    this.headers = [];
    this.fields.forEach(function (field, index) {
      var th = element("th", { scope: "col", "aria-sort": "none" });
      var label = field.title || field.name;
      var button = element("button", {
        type: "button", "class": "sort-button", "data-field": field.name,
        title: format(self.msg.sort || "%(column)s", { column: label }),
      });
      button.appendChild(element("span", {}, label));
      button.appendChild(element("span", { "class": "sort-indicator", "aria-hidden": "true" }, ""));
      button.addEventListener("click", function () { self.sortBy(field, th); });
      th.appendChild(button);
      names.appendChild(th);
      self.headers.push(th);

      var cell = element("td");
      filters.appendChild(cell);
      if (!filterable(field)) return;
      var inputId = uid + "-filter-" + index;
      var hint = self.msg[hintKey(field)];
      var filterLabel = format(self.msg.filter || "%(column)s", { column: label }) + (hint ? " (" + hint + ")" : "");
      cell.appendChild(element("label", { "for": inputId, "class": "visually-hidden" }, filterLabel));
      var input = element("input", {
        type: "search", id: inputId, "data-field": field.name, autocomplete: "off",
        placeholder: hint || "",
      });
      if (NUMBER_TYPES[field.type]) input.setAttribute("inputmode", "decimal");
      input.addEventListener("input", function () { self.filterChanged(field, input.value); });
      cell.appendChild(input);
    });
    head.appendChild(names);
    head.appendChild(filters);
    table.appendChild(head);
    this.body = element("tbody");
    table.appendChild(this.body);
    scroll.appendChild(table);

    var nav = element("div", { "class": "preview-nav" });
    this.previous = element("button", { type: "button", "class": "button button-secondary", "data-action": "previous" }, this.msg.previous);
    this.next = element("button", { type: "button", "class": "button button-secondary", "data-action": "next" }, this.msg.next);
    this.previous.addEventListener("click", function () { self.page(-1); });
    this.next.addEventListener("click", function () { self.page(1); });
    nav.appendChild(this.previous);
    nav.appendChild(this.next);

    this.root.appendChild(this.status);
    this.root.appendChild(this.error);
    this.root.appendChild(scroll);
    this.root.appendChild(nav);
  };

  Preview.prototype.sortBy = function (field, th) {
    var direction = "asc";
    if (this.order && this.order.name === field.name && this.order.direction === "asc") {
      direction = "desc";
    }
    this.order = { name: field.name, direction: direction };
    this.headers.forEach(function (header) {
      header.setAttribute("aria-sort", "none");
      header.querySelector(".sort-indicator").textContent = "";
    });
    th.setAttribute("aria-sort", direction === "asc" ? "ascending" : "descending");
    th.querySelector(".sort-indicator").textContent = direction === "asc" ? "▲" : "▼";
    this.offset = 0;
    this.load();
  };

  Preview.prototype.filterChanged = function (field, value) {
    var self = this;
    this.filters[field.name] = { field: field, value: value };
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.offset = 0;
      self.load();
    }, DEBOUNCE_MS);
  };

  Preview.prototype.page = function (step) {
    var offset = this.offset + step * this.pageSize;
    if (offset < 0 || offset >= this.total) return;
    this.offset = offset;
    this.load();
  };

  Preview.prototype.query = function () {
    var params = new URLSearchParams();
    params.set("limit", String(this.pageSize));
    params.set("offset", String(this.offset));
    if (this.order) params.set("order_by", odsqlField(this.order.name) + " " + this.order.direction);
    var self = this;
    var invalid = null;
    Object.keys(this.filters).forEach(function (name) {
      var filter = self.filters[name];
      var clause = clauseFor(filter.field, filter.value);
      if (clause === null) invalid = filter;
      else if (clause) params.append("where", clause);
    });
    if (invalid) {
      var label = invalid.field.title || invalid.field.name;
      return { error: format(this.msg[invalidMessageKey(invalid.field)] || "%(column)s", { column: label }) };
    }
    return { params: params };
  };

  Preview.prototype.load = function () {
    var self = this;
    var built = this.query();
    if (built.error) {
      this.error.textContent = built.error;
      return;
    }
    var sequence = ++this.sequence;
    if (this.controller) this.controller.abort();
    this.controller = typeof AbortController === "function" ? new AbortController() : null;
    this.root.setAttribute("aria-busy", "true");
    this.status.textContent = this.msg.loading || "";
    fetch(this.url + "?" + built.params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: this.controller ? this.controller.signal : undefined,
    })
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
          self.showError(result.body && result.body.message);
          return;
        }
        self.error.textContent = "";
        self.render(result.body);
      })
      .catch(function (failure) {
        if (failure && failure.name === "AbortError") return;
        if (sequence !== self.sequence) return;
        self.root.removeAttribute("aria-busy");
        self.showError(null);
      });
  };

  Preview.prototype.showError = function (message) {
    this.status.textContent = "";
    this.error.textContent = message
      ? format(this.msg.error || "%(message)s", { message: message })
      : this.msg.network || "";
  };

  Preview.prototype.render = function (body) {
    var self = this;
    this.total = body.total_count || 0;
    var rows = body.results || [];
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = element("tr");
      self.fields.forEach(function (field) {
        var td = element("td", NUMBER_TYPES[field.type] ? { "class": "number" } : {});
        var text = displayValue(row[field.name], field, self.numberFormat);
        td.textContent = text;
        if (text.length > LONG_VALUE) td.title = text;
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    this.body.textContent = "";
    this.body.appendChild(fragment);
    if (!rows.length) {
      this.status.textContent = this.msg.empty || "";
    } else {
      this.status.textContent = format(this.msg.range || "", {
        start: this.numberFormat.format(this.offset + 1),
        end: this.numberFormat.format(this.offset + rows.length),
        total: this.numberFormat.format(this.total),
      });
    }
    this.previous.disabled = this.offset <= 0;
    this.next.disabled = this.offset + this.pageSize >= this.total;
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-preview]"), function (root) {
      var preview = new Preview(root);
      preview.build();
      preview.load();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
