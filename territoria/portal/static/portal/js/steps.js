// The processing steps editor: a list of steps built from the JSON of the form's textarea,
// kept in sync with it (the form posts the JSON; without JavaScript it is edited directly).
// Configuration comes from the data-config attribute (the page's CSP forbids inline scripts).
(function () {
  "use strict";
  var root = document.getElementById("steps-editor");
  var textarea = document.getElementById("id_steps");
  var jsonField = document.getElementById("steps-json-field");
  if (!root || !textarea) return;
  var config = JSON.parse(root.getAttribute("data-config"));
  var opsByName = {};
  config.ops.forEach(function (op) { opsByName[op.op] = op; });
  var steps;
  try {
    steps = JSON.parse(textarea.value || "[]");
    if (!Array.isArray(steps)) return;
  } catch (error) {
    return; // leave invalid JSON to the textarea: the server says what is wrong
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function sync() {
    textarea.value = JSON.stringify(steps, null, 1);
  }

  function shown(value) {
    if (Array.isArray(value)) return value.join(", ");
    if (value === undefined || value === null) return "";
    return String(value);
  }

  function parsed(option, text) {
    if (text === "") return undefined;
    if (option.list) return text.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if (option.name === "keep") return text === "true";
    return text;
  }

  var fieldList = element("datalist", { id: "steps-fields" });
  config.fields.forEach(function (name) { fieldList.appendChild(element("option", { value: name })); });

  function optionInput(step, option, index, position) {
    var id = "step-" + position + "-" + option.name;
    var wrapper = element("div", { "class": "field" });
    wrapper.appendChild(element("label", { "for": id }, option.label + (option.required ? " *" : "")));
    var input;
    if (option.choices) {
      input = element("select", { id: id });
      input.appendChild(element("option", { value: "" }, "—"));
      option.choices.forEach(function (choice) { input.appendChild(element("option", { value: choice }, choice)); });
    } else {
      input = element("input", { id: id, type: "text" });
      if (option.name === "field" || option.name === "fields") input.setAttribute("list", "steps-fields");
    }
    input.value = shown(step[option.name]);
    input.addEventListener("change", function () {
      var value = parsed(option, input.value.trim());
      if (value === undefined) delete steps[index][option.name];
      else steps[index][option.name] = value;
      sync();
    });
    wrapper.appendChild(input);
    return wrapper;
  }

  function button(label, action) {
    var node = element("button", { type: "button", "class": "button button-secondary" }, label);
    node.addEventListener("click", action);
    return node;
  }

  function move(index, by) {
    var target = index + by;
    if (target < 0 || target >= steps.length) return;
    var moved = steps.splice(index, 1)[0];
    steps.splice(target, 0, moved);
    render();
  }

  function render() {
    sync();
    root.textContent = "";
    root.appendChild(fieldList);
    steps.forEach(function (step, index) {
      var fieldset = element("fieldset", { "class": "fieldset step" });
      fieldset.appendChild(element("legend", {}, config.labels.step + " " + (index + 1)));
      var select = element("select", { id: "step-" + index + "-op", "aria-label": config.labels.step + " " + (index + 1) });
      config.ops.forEach(function (op) { select.appendChild(element("option", { value: op.op }, op.label)); });
      select.value = step.op;
      select.addEventListener("change", function () {
        steps[index] = { op: select.value };
        render();
      });
      fieldset.appendChild(select);
      var op = opsByName[step.op];
      (op ? op.options : []).forEach(function (option) {
        fieldset.appendChild(optionInput(step, option, index, index));
      });
      var actions = element("p", { "class": "step-actions" });
      actions.appendChild(button(config.labels.up, function () { move(index, -1); }));
      actions.appendChild(button(config.labels.down, function () { move(index, 1); }));
      actions.appendChild(button(config.labels.remove, function () { steps.splice(index, 1); render(); }));
      fieldset.appendChild(actions);
      root.appendChild(fieldset);
    });
    root.appendChild(button(config.labels.add, function () {
      steps.push({ op: config.ops[0].op });
      render();
    }));
  }

  render();
  root.hidden = false;
  if (jsonField) jsonField.hidden = true;
})();
