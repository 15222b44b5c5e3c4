/* Map of a dataset's points: Leaflet (shipped in static/leaflet/), points from the records API.
 *
 * Configuration from data-config (no inline script: strict CSP): where the points are
 * (`{"kind": "latlon", "lat", "lon"}` columns, or a GeoJSON dataset's `{"kind": "point",
 * "point"}`), the field naming a point, and an optional tile layer (none by default: the
 * points are drawn on a blank map and no request leaves the portal).
 *
 * The first view fits the data's extent (one aggregate call: min/max of the coordinates);
 * then each view asks the public Explore API for the points inside it (`where` on the
 * coordinates, or ODSQL's `in_bbox` for a point column), a few pages of 100, the API's page
 * size. When `in_bbox` is refused (an engine without geo ODSQL), the map falls back to the
 * first pages of the dataset, whatever the view.
 */
(function () {
  "use strict";

  var PAGE = 100; // the records API's largest page
  var PAGES = 5;
  var DEBOUNCE_MS = 250;

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function odsqlField(name) {
    return "`" + name.replace(/`/g, "``") + "`";
  }

  function number(value) {
    return Number(value).toFixed(6); // ODSQL number literal; a micro-degree is 11 cm
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (response) {
      return response.json().then(
        function (body) { return { ok: response.ok, status: response.status, body: body }; },
        function () { return { ok: false, status: response.status, body: {} }; }
      );
    });
  }

  /* [lat, lon] of a point value as the API returns it: {lat, lon}, [lat, lon] or "lat,lon". */
  function pointOf(value) {
    if (!value) return null;
    if (typeof value === "string") value = value.split(",");
    if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])];
    if (typeof value === "object" && "lat" in value && "lon" in value) return [Number(value.lat), Number(value.lon)];
    return null;
  }

  function MapView(root) {
    var self = this;
    this.root = root;
    this.url = root.getAttribute("data-records-url");
    this.config = JSON.parse(root.getAttribute("data-config") || "{}");
    this.points = this.config.points || {};
    this.msg = {};
    Array.prototype.forEach.call(root.attributes, function (attribute) {
      if (attribute.name.indexOf("data-msg-") === 0) self.msg[attribute.name.slice(9)] = attribute.value;
    });
    this.status = root.querySelector(".map-status");
    this.canvas = root.querySelector(".map-canvas");
    this.bboxWorks = true;
    this.sequence = 0;
    this.timer = null;
    this.numberFormat = new Intl.NumberFormat(document.documentElement.lang || "fr");
  }

  MapView.prototype.start = function () {
    var self = this;
    this.map = L.map(this.canvas, { center: [48.7, 5.5], zoom: 7 }); // the Grand Est, until the data's extent is known
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (this.config.tiles) {
      L.tileLayer(this.config.tiles, { attribution: this.config.attribution || "", maxZoom: 19 }).addTo(this.map);
    }
    this.layer = L.featureGroup().addTo(this.map);
    this.fitExtent().then(function () {
      self.map.on("moveend", function () {
        window.clearTimeout(self.timer);
        self.timer = window.setTimeout(function () { self.load(true); }, DEBOUNCE_MS);
      });
    });
  };

  /* Fit the view to the data: min/max of the coordinate columns, or the first points. */
  MapView.prototype.fitExtent = function () {
    var self = this;
    if (this.points.kind !== "latlon") return this.load(false, true);
    var lat = odsqlField(this.points.lat), lon = odsqlField(this.points.lon);
    var params = new URLSearchParams();
    params.set("select", "min(" + lat + ") as s, max(" + lat + ") as n, min(" + lon + ") as w, max(" + lon + ") as e");
    this.setStatus(this.msg.loading);
    return getJson(this.url + "?" + params.toString()).then(function (result) {
      var extent = result.ok && result.body.results && result.body.results[0];
      if (extent && extent.s !== null && extent.s !== undefined) {
        self.map.fitBounds([[extent.s, extent.w], [extent.n, extent.e]], { padding: [20, 20], maxZoom: 14, animate: false });
      }
      return self.load(false, false);
    }, function () { self.fail(null); });
  };

  MapView.prototype.bboxClause = function () {
    var bounds = this.map.getBounds();
    var s = number(bounds.getSouth()), n = number(bounds.getNorth());
    var w = number(bounds.getWest()), e = number(bounds.getEast());
    if (this.points.kind === "latlon") {
      var lat = odsqlField(this.points.lat), lon = odsqlField(this.points.lon);
      return lat + " >= " + s + " and " + lat + " <= " + n + " and " + lon + " >= " + w + " and " + lon + " <= " + e;
    }
    return "in_bbox(" + odsqlField(this.points.point) + ", " + s + ", " + w + ", " + n + ", " + e + ")";
  };

  MapView.prototype.pageUrl = function (offset, bbox) {
    var names = this.points.kind === "latlon" ? [this.points.lat, this.points.lon] : [this.points.point];
    if (this.points.label && names.indexOf(this.points.label) < 0) names.push(this.points.label);
    var params = new URLSearchParams();
    params.set("select", names.map(odsqlField).join(", "));
    if (bbox) params.set("where", this.bboxClause());
    params.set("limit", String(PAGE));
    params.set("offset", String(offset));
    return this.url + "?" + params.toString();
  };

  /* Load the points of the view (``bbox``) or of the whole dataset, page after page. */
  MapView.prototype.load = function (bbox, fit) {
    var self = this;
    var sequence = ++this.sequence;
    var useBbox = bbox && this.bboxWorks;
    var found = [];
    var total = 0;
    this.root.setAttribute("aria-busy", "true");
    this.setStatus(this.msg.loading);
    function page(index) {
      return getJson(self.pageUrl(index * PAGE, useBbox)).then(function (result) {
        if (sequence !== self.sequence) return null;
        if (!result.ok) {
          if (useBbox && result.status === 400 && self.points.kind !== "latlon") {
            self.bboxWorks = false; // no geo ODSQL here: plain pages instead
            useBbox = false;
            return page(0);
          }
          self.fail(result.body && result.body.message);
          return null;
        }
        var rows = result.body.results || [];
        total = result.body.total_count || 0;
        found = found.concat(rows);
        if (rows.length === PAGE && index + 1 < PAGES && found.length < total) return page(index + 1);
        self.draw(found, total, fit);
        return null;
      });
    }
    return page(0).catch(function () {
      if (sequence === self.sequence) self.fail(null);
    });
  };

  MapView.prototype.draw = function (rows, total, fit) {
    var self = this;
    this.layer.clearLayers();
    var shown = 0;
    rows.forEach(function (row) {
      var at = self.points.kind === "latlon" ? [row[self.points.lat], row[self.points.lon]] : pointOf(row[self.points.point]);
      if (!at || at[0] === null || at[1] === null || isNaN(at[0]) || isNaN(at[1])) return;
      var marker = L.circleMarker(at, { radius: 6, color: "#152a6e", weight: 1.5, fillColor: "#1f3a93", fillOpacity: 0.75 });
      var label = self.points.label ? row[self.points.label] : null;
      if (label !== null && label !== undefined && label !== "") {
        // A text node, never an HTML string: Leaflet would parse a string as markup.
        var text = document.createElement("span");
        text.textContent = String(label);
        marker.bindTooltip(text);
      }
      marker.addTo(self.layer);
      shown += 1;
    });
    this.root.removeAttribute("aria-busy");
    if (fit && shown) this.map.fitBounds(this.layer.getBounds(), { padding: [20, 20], maxZoom: 14, animate: false });
    var values = { shown: this.numberFormat.format(shown), total: this.numberFormat.format(total) };
    if (!shown) this.setStatus(this.msg.none);
    else this.setStatus(format(shown < total ? this.msg.partial : this.msg.shown, values));
    this.root.setAttribute("data-points", String(shown));
  };

  MapView.prototype.setStatus = function (text) {
    this.status.textContent = text || "";
  };

  MapView.prototype.fail = function (message) {
    this.root.removeAttribute("aria-busy");
    this.setStatus(message ? format(this.msg.error, { message: message }) : this.msg.network);
  };

  function start() {
    if (typeof L === "undefined") return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (root) {
      new MapView(root).start();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
