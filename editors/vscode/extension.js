// Starts `cio-lint server` for Python files. Build: `npm install`, then `npx @vscode/vsce package`
// (or open this folder in VS Code and press F5). See docs/editors.md.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace
    .getConfiguration("cio-lint")
    .get("command", ["cio-lint", "server"]);
  client = new LanguageClient(
    "cio-lint",
    "cio-lint",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "python" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
