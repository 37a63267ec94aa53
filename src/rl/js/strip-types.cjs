'use strict';
// TypeScript → JavaScript for /run_code's typescript language, run in the
// polyglot-js sandbox, which has @babel/core and the TypeScript *syntax*
// plugin but no TypeScript compiler: parse as TypeScript, drop the types.
// Usage: node strip-types.cjs in.ts out.js (exit 1 with the error on stderr),
// or as jest's transform (TypeScript and JavaScript files alike, then the
// Exercism babel preset jest's polyglot exercises use).
// Enums and constructor parameter properties are rewritten into JavaScript;
// namespaces and decorators are not supported (a clear error, not a crash).
const fs = require('fs');
const babel = require('@babel/core');

function stripTypes({ types: t }) {
  const drop = (p) => p.remove();
  const unwrap = (p) => p.replaceWith(p.node.expression);
  const clean = (node) => {
    for (const k of ['accessibility', 'readonly', 'abstract', 'override', 'declare']) if (node[k]) node[k] = k === 'accessibility' ? null : false;
    node.optional = false;
    node.definite = false;
  };
  return {
    name: 'verdict-strip-types',
    visitor: {
      TSTypeAnnotation: drop,
      TSTypeParameterDeclaration: drop,
      TSTypeParameterInstantiation: drop,
      TSInterfaceDeclaration: drop,
      TSTypeAliasDeclaration: drop,
      TSDeclareFunction: drop,
      TSDeclareMethod: drop,
      TSIndexSignature: drop,
      TSAsExpression: unwrap,
      TSSatisfiesExpression: unwrap,
      TSNonNullExpression: unwrap,
      TSTypeAssertion: unwrap,
      TSInstantiationExpression: unwrap,
      TSModuleDeclaration(p) {
        if (p.node.declare) return p.remove();
        throw p.buildCodeFrameError('namespaces are not supported');
      },
      TSImportEqualsDeclaration(p) {
        throw p.buildCodeFrameError('import = require() is not supported');
      },
      ImportDeclaration(p) {
        if (p.node.importKind === 'type') return p.remove();
        p.node.specifiers = p.node.specifiers.filter((s) => s.importKind !== 'type');
      },
      ExportNamedDeclaration(p) {
        if (p.node.exportKind === 'type') return p.remove();
      },
      Identifier(p) {
        p.node.optional = false;
      },
      VariableDeclarator(p) {
        p.node.definite = false;
      },
      VariableDeclaration(p) {
        if (p.node.declare) p.remove();
      },
      Class(p) {
        p.node.implements = null;
        p.node.abstract = false;
        p.node.superTypeParameters = null;
        if (p.node.declare) p.remove();
      },
      'ClassProperty|ClassPrivateProperty'(p) {
        if (p.node.declare || p.node.abstract) return p.remove();
        clean(p.node);
      },
      'ClassMethod|ClassPrivateMethod'(p) {
        if (p.node.abstract) return p.remove();
        clean(p.node);
        if (p.node.kind !== 'constructor') return;
        // constructor(private x: number) → constructor(x) { this.x = x; }
        const assigns = [];
        p.node.params = p.node.params.map((param) => {
          if (param.type !== 'TSParameterProperty') return param;
          const inner = param.parameter;
          const id = inner.type === 'AssignmentPattern' ? inner.left : inner;
          assigns.push(t.expressionStatement(t.assignmentExpression('=', t.memberExpression(t.thisExpression(), t.identifier(id.name)), t.identifier(id.name))));
          return inner;
        });
        if (!assigns.length) return;
        const body = p.node.body.body;
        const sup = body.findIndex((s) => s.type === 'ExpressionStatement' && s.expression.type === 'CallExpression' && s.expression.callee.type === 'Super');
        body.splice(sup + 1, 0, ...assigns);
      },
      Function(p) {
        // function f(this: Foo, x) → function f(x)
        const first = p.node.params[0];
        if (first && first.type === 'Identifier' && first.name === 'this') p.node.params.shift();
        p.node.returnType = null;
        p.node.typeParameters = null;
      },
      TSEnumDeclaration(p) {
        // enum E { A, B = 5, C = "c" } → var E; (function (E) { E[E["A"] = 0] = "A"; ... })(E || (E = {}));
        const name = p.node.id.name;
        const E = t.identifier(name);
        let next = t.numericLiteral(0);
        const stmts = p.node.members.map((m) => {
          const key = t.stringLiteral(m.id.type === 'Identifier' ? m.id.name : m.id.value);
          let value = m.initializer || next;
          const isString = value.type === 'StringLiteral' || value.type === 'TemplateLiteral';
          next = value.type === 'NumericLiteral' ? t.numericLiteral(value.value + 1) : t.binaryExpression('+', t.memberExpression(E, key, true), t.numericLiteral(1));
          const set = t.assignmentExpression('=', t.memberExpression(E, key, true), value);
          return t.expressionStatement(isString ? set : t.assignmentExpression('=', t.memberExpression(E, set, true), key));
        });
        const fn = t.functionExpression(null, [E], t.blockStatement(stmts));
        const call = t.expressionStatement(t.callExpression(fn, [t.logicalExpression('||', E, t.assignmentExpression('=', E, t.objectExpression([])))]));
        const decl = t.variableDeclaration('var', [t.variableDeclarator(E)]);
        if (p.parentPath.isExportNamedDeclaration()) {
          p.parentPath.replaceWithMultiple([t.exportNamedDeclaration(decl, []), call]);
        } else {
          p.replaceWithMultiple([decl, call]);
        }
      },
      Decorator(p) {
        throw p.buildCodeFrameError('decorators are not supported');
      },
    },
  };
}

const syntax = [require.resolve('@babel/plugin-syntax-typescript'), { isTSX: false }];

/** jest transform: types dropped from .ts files, then modules → CommonJS */
module.exports = {
  process(source, filename) {
    const r = babel.transformSync(source, {
      filename,
      babelrc: false,
      configFile: false,
      retainLines: true,
      presets: [require.resolve('@exercism/babel-preset-javascript')],
      plugins: /\.[cm]?tsx?$/.test(filename) ? [syntax, stripTypes] : [],
    });
    return { code: r.code };
  },
};

if (require.main === module) {
  const [src, out] = process.argv.slice(2);
  try {
    const r = babel.transformSync(fs.readFileSync(src, 'utf8'), { filename: src, babelrc: false, configFile: false, retainLines: true, plugins: [syntax, stripTypes] });
    fs.writeFileSync(out, r.code + '\n');
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
