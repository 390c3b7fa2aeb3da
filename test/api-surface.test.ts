/**
 * Guards the package boundary. The first test renders every export of
 * `src/api.ts` as Markdown and compares it with `snapshots/api.md`, so an
 * API change shows up as a reviewed diff (`UPDATE_SNAPSHOTS=1` rewrites the
 * file). The second checks that transforms import only from `src/`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import {
  Node,
  Project,
  SyntaxKind,
  type ClassDeclaration,
  type FunctionDeclaration,
  type InterfaceDeclaration,
  type MethodDeclaration,
  type MethodSignature,
  type ParameterDeclaration,
  type PropertyDeclaration,
  type PropertySignature,
  type SourceFile,
  type TypeAliasDeclaration,
  type VariableDeclaration,
} from "ts-morph";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const snapshotPath = join(root, "snapshots", "api.md");
const update = process.env.UPDATE_SNAPSHOTS === "1";

/** Collapses a node's printed text, without comments, to one line. */
function flatten(node: Node): string {
  return node
    .print({ removeComments: true })
    .replace(/\s+/g, " ")
    .replace(/^\| /, "")
    .replace(/;$/, "")
    .trim();
}

type Signature = FunctionDeclaration | MethodSignature | MethodDeclaration;

/**
 * Renders the type that the checker infers for a node with no written type.
 * Without lib files the checker cannot infer types such as `Promise`, so
 * an inferred `any` fails the test with the place to write a type.
 */
function inferredType(node: Node, type: { getText(node: Node): string }) {
  const text = type.getText(node);
  if (text === "any") {
    const { line } = node
      .getSourceFile()
      .getLineAndColumnAtPos(node.getStart());
    const path = relative(root, node.getSourceFile().getFilePath());
    throw new Error(
      `${path}:${line}: the public API infers this type. Write the type out in the source`,
    );
  }
  return text;
}

/** Renders a written type, or the inferred one when none is written. */
function typeText(
  node:
    | ParameterDeclaration
    | PropertySignature
    | PropertyDeclaration
    | VariableDeclaration,
): string {
  const typeNode = node.getTypeNode();
  return typeNode ? flatten(typeNode) : inferredType(node, node.getType());
}

function typeParameters(
  node:
    Signature | InterfaceDeclaration | ClassDeclaration | TypeAliasDeclaration,
): string {
  const list = node.getTypeParameters().map((parameter) => flatten(parameter));
  return list.length > 0 ? `<${list.join(", ")}>` : "";
}

function parameter(node: ParameterDeclaration): string {
  const modifiers = node
    .getModifiers()
    .map((modifier) => `${modifier.getText()} `)
    .join("");
  const rest = node.isRestParameter() ? "..." : "";
  const optional = node.isOptional() && !rest ? "?" : "";
  return `${modifiers}${rest}${node.getName()}${optional}: ${typeText(node)}`;
}

/** Renders the parameters and return type, as in `(a: string): number`. */
function signature(node: Signature): string {
  const list = node.getParameters().map(parameter).join(", ");
  const written = node.getReturnTypeNode();
  const result = written
    ? flatten(written)
    : inferredType(node, node.getReturnType());
  return `${typeParameters(node)}(${list}): ${result}`;
}

function renderInterface(node: InterfaceDeclaration): string[] {
  const bases = node.getExtends().map((base) => flatten(base));
  const extendsText = bases.length > 0 ? ` extends ${bases.join(", ")}` : "";
  const lines = [
    `interface ${node.getName()}${typeParameters(node)}${extendsText} {`,
  ];
  for (const member of node.getMembers()) {
    if (Node.isPropertySignature(member)) {
      const readonly = member.isReadonly() ? "readonly " : "";
      const optional = member.hasQuestionToken() ? "?" : "";
      lines.push(
        `  ${readonly}${member.getName()}${optional}: ${typeText(member)};`,
      );
    } else if (Node.isMethodSignature(member)) {
      const optional = member.hasQuestionToken() ? "?" : "";
      lines.push(`  ${member.getName()}${optional}${signature(member)};`);
    } else {
      lines.push(`  ${flatten(member)};`);
    }
  }
  lines.push("}");
  return lines;
}

function renderClass(node: ClassDeclaration): string[] {
  const base = node.getExtends();
  const extendsText = base ? ` extends ${flatten(base)}` : "";
  const lines = [
    `class ${node.getName()}${typeParameters(node)}${extendsText} {`,
  ];
  for (const member of node.getMembers()) {
    if (Node.isConstructorDeclaration(member)) {
      const list = member.getParameters().map(parameter).join(", ");
      lines.push(`  constructor(${list});`);
      continue;
    }
    if (!Node.isScoped(member) || member.getScope() !== "public") continue;
    if (Node.isPropertyDeclaration(member)) {
      const readonly = member.isReadonly() ? "readonly " : "";
      const isStatic = member.isStatic() ? "static " : "";
      lines.push(
        `  ${isStatic}${readonly}${member.getName()}: ${typeText(member)};`,
      );
    } else if (Node.isMethodDeclaration(member)) {
      const isStatic = member.isStatic() ? "static " : "";
      lines.push(`  ${isStatic}${member.getName()}${signature(member)};`);
    }
  }
  lines.push("}");
  return lines;
}

function renderDeclaration(
  name: string,
  node: Node,
): { kind: string; lines: string[] } {
  if (Node.isInterfaceDeclaration(node)) {
    return { kind: "interface", lines: renderInterface(node) };
  }
  if (Node.isClassDeclaration(node)) {
    return { kind: "class", lines: renderClass(node) };
  }
  if (Node.isTypeAliasDeclaration(node)) {
    const type = flatten(node.getTypeNodeOrThrow());
    const text = `type ${name}${typeParameters(node)} = ${type};`;
    return { kind: "type", lines: [text] };
  }
  if (Node.isFunctionDeclaration(node)) {
    const text = `function ${name}${signature(node)};`;
    return { kind: "function", lines: [text] };
  }
  if (Node.isVariableDeclaration(node)) {
    const keyword =
      node.getVariableStatement()?.getDeclarationKind() ?? "const";
    return {
      kind: keyword,
      lines: [`${keyword} ${name}: ${typeText(node)};`],
    };
  }
  if (Node.isEnumDeclaration(node)) {
    const members = node.getMembers().map((member) => `  ${flatten(member)},`);
    return { kind: "enum", lines: [`enum ${name} {`, ...members, "}"] };
  }
  throw new Error(
    `cannot render export \`${name}\` of kind ${node.getKindName()}. Add a case to renderDeclaration`,
  );
}

/** Lists the names that `src/api.ts` exports with `export type`. */
function typeOnlyExports(api: SourceFile): Set<string> {
  const names = new Set<string>();
  for (const declaration of api.getExportDeclarations()) {
    for (const specifier of declaration.getNamedExports()) {
      if (declaration.isTypeOnly() || specifier.isTypeOnly()) {
        names.add(specifier.getAliasNode()?.getText() ?? specifier.getName());
      }
    }
  }
  return names;
}

function resolveModule(file: SourceFile, specifier: string): string {
  return resolve(
    dirname(file.getFilePath()),
    specifier.replace(/\.js$/, ".ts"),
  );
}

/**
 * Loads `src/api.ts` with the modules it imports and, transitively, the
 * modules they re-export from. Type checking stays off (no lib, no import
 * resolution), which keeps the load near 0.2 s instead of several seconds,
 * so every type must be written in the source.
 */
function loadApi(): SourceFile {
  const project = new Project({
    compilerOptions: { noLib: true, noResolve: true, types: [] },
  });
  const api = project.addSourceFileAtPath(join(root, "src", "api.ts"));
  const pending = [api];
  for (let file = pending.pop(); file; file = pending.pop()) {
    const reexports = file.getExportDeclarations();
    const declarations =
      file === api
        ? [...file.getImportDeclarations(), ...reexports]
        : reexports;
    for (const declaration of declarations) {
      const specifier = declaration.getModuleSpecifierValue();
      if (!specifier?.startsWith(".")) continue;
      const path = resolveModule(file, specifier);
      if (project.getSourceFile(path)) continue;
      pending.push(project.addSourceFileAtPath(path));
    }
  }
  return api;
}

/** Returns the file that declares a type name used in `file`, if it is ours. */
function declaringFile(file: SourceFile, name: string): string | undefined {
  const isLocal =
    file.getInterface(name) ??
    file.getTypeAlias(name) ??
    file.getClass(name) ??
    file.getEnum(name);
  if (isLocal) return file.getFilePath();
  for (const declaration of file.getImportDeclarations()) {
    const specifier = declaration.getModuleSpecifierValue();
    const imports = declaration
      .getNamedImports()
      .map((item) => item.getAliasNode()?.getText() ?? item.getName());
    if (specifier.startsWith(".") && imports.includes(name)) {
      return resolveModule(file, specifier);
    }
  }
  return undefined;
}

/**
 * Lists the types of this project that exported declarations refer to but
 * `src/api.ts` does not export, so callers cannot name them.
 */
function unexportedTypes(
  declarations: Node[],
  exported: Set<string>,
): string[] {
  const found = new Map<string, string>();
  for (const declaration of declarations) {
    const parameters = new Set(
      declaration
        .getDescendantsOfKind(SyntaxKind.TypeParameter)
        .map((item) => item.getName()),
    );
    const references = [
      ...declaration.getDescendantsOfKind(SyntaxKind.TypeReference),
      ...declaration.getDescendantsOfKind(
        SyntaxKind.ExpressionWithTypeArguments,
      ),
    ];
    for (const reference of references) {
      const name = reference.getText().split(/[.<]/)[0]!.trim();
      if (exported.has(name) || parameters.has(name)) continue;
      const file = declaringFile(declaration.getSourceFile(), name);
      if (file) found.set(name, relative(root, file).replaceAll("\\", "/"));
    }
  }
  return [...found]
    .sort(([a], [b]) => compareNames(a, b))
    .map(([name, file]) => `| \`${name}\` | \`${file}\` |`);
}

function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Renders every export of `src/api.ts`, sorted by name, as Markdown. */
function renderApi(): string {
  const api = loadApi();
  const typeOnly = typeOnlyExports(api);
  const exports = [...api.getExportedDeclarations()].sort(([a], [b]) =>
    compareNames(a, b),
  );
  const table = ["| name | kind |", "| --- | --- |"];
  const sections: string[] = [];
  for (const [name, declarations] of exports) {
    for (const declaration of declarations) {
      const { kind, lines } = renderDeclaration(name, declaration);
      const label =
        typeOnly.has(name) && kind === "class" ? "class (type only)" : kind;
      table.push(`| \`${name}\` | ${label} |`);
      sections.push(
        `## \`${name}\``,
        "",
        label,
        "",
        "```ts",
        ...lines,
        "```",
        "",
      );
    }
  }
  const unexported = unexportedTypes(
    exports.flatMap(([, declarations]) => declarations),
    new Set(exports.map(([name]) => name)),
  );
  return [
    "# Public API",
    "",
    "The exports of `src/api.ts`, rendered by `test/api-surface.test.ts`.",
    "After an intended change, run",
    "`UPDATE_SNAPSHOTS=1 npx vitest run test/api-surface.test.ts` and review",
    "the diff of this file.",
    "",
    ...table,
    "",
    ...sections,
    "## Types used but not exported",
    "",
    "Exported declarations refer to these types, but `src/api.ts` does not",
    "export them, so callers cannot name them.",
    "",
    "| name | declared in |",
    "| --- | --- |",
    ...unexported,
    "",
  ].join("\n");
}

/** Node modules that read or write files or start processes. */
const FORBIDDEN_BUILTINS = /^(node:)?(fs|fs\/promises|child_process)$/;

/** Lists the module specifiers of a file's imports, re-exports and `import()` calls. */
function moduleSpecifiers(
  file: SourceFile,
): { specifier: string; typeOnly: boolean }[] {
  const found = [
    ...file.getImportDeclarations().map((declaration) => ({
      specifier: declaration.getModuleSpecifierValue(),
      typeOnly: declaration.isTypeOnly(),
    })),
    ...file.getExportDeclarations().flatMap((declaration) => {
      const specifier = declaration.getModuleSpecifierValue();
      return specifier
        ? [{ specifier, typeOnly: declaration.isTypeOnly() }]
        : [];
    }),
  ];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const argument = call.getArguments()[0];
    if (call.getExpression().getKind() !== SyntaxKind.ImportKeyword) continue;
    const specifier = Node.isStringLiteral(argument)
      ? argument.getLiteralValue()
      : `(computed: ${call.getText()})`;
    found.push({ specifier, typeOnly: false });
  }
  return found;
}

/** Returns why an import of a transform file breaks the layering, if it does. */
function importProblem(
  file: string,
  specifier: string,
  typeOnly: boolean,
): string | undefined {
  if (FORBIDDEN_BUILTINS.test(specifier)) {
    return "transforms never read files or run processes";
  }
  if (specifier.startsWith("(computed")) {
    return "transforms import only fixed module paths";
  }
  if (!specifier.startsWith(".")) {
    return typeOnly
      ? undefined
      : "transforms use packages through src/; only `import type` may name one";
  }
  const target = relative(root, resolve(dirname(file), specifier)).replaceAll(
    "\\",
    "/",
  );
  if (target.startsWith("src/cli/")) return "transforms never import src/cli/";
  if (target.startsWith("src/")) return undefined;
  const isRegistry = relative(root, file) === join("transforms", "index.ts");
  if (isRegistry && /^transforms\/[^/]+$/.test(target)) return undefined;
  if (target.startsWith("transforms/"))
    return "transforms never import each other";
  return `transforms import only from src/, not from ${target}`;
}

describe("public API of src/api.ts", () => {
  it("matches snapshots/api.md", { timeout: 20_000 }, () => {
    const rendered = renderApi();
    if (update) writeFileSync(snapshotPath, rendered);
    if (!existsSync(snapshotPath)) {
      throw new Error(
        "snapshots/api.md is missing. Run the test with UPDATE_SNAPSHOTS=1",
      );
    }
    expect(rendered).toBe(readFileSync(snapshotPath, "utf8"));
  });
});

describe("imports of transforms/", () => {
  it("point only to src/ outside src/cli/", () => {
    const project = new Project({ skipAddingFilesFromTsConfig: true });
    const files = project.addSourceFilesAtPaths(
      join(root, "transforms", "**", "*.ts"),
    );
    const problems: string[] = [];
    for (const file of files) {
      const path = file.getFilePath();
      for (const { specifier, typeOnly } of moduleSpecifiers(file)) {
        const problem = importProblem(path, specifier, typeOnly);
        if (problem)
          problems.push(`${relative(root, path)}: "${specifier}": ${problem}`);
      }
    }
    expect(files.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
