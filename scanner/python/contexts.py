"""SSL contexts handed to mail clients: whether they verify the server, and how to make
one verify where the code builds it.

A context is followed from the argument to the assignment that makes it
(``ctx = ssl.create_default_context()``), then through the assignments that loosen it
(``ctx.check_hostname = False``, ``ctx.verify_mode = ssl.CERT_NONE``). A loosening under
an ``if`` is the program's option (``if not verify:``): the context verifies unless the
user opts out, which is not a mistake. So is a verifying context rebound to an
unverified one under an ``if`` (``if insecure: ctx = ssl._create_unverified_context()``),
reported at the rebinding; rebound on every path, or under a value the project commits, it
never verifies, and each unverified factory that reaches the handshake is fixed. A
context that never verifies is fixed where it is built (its factory replaced, the
loosening statements deleted), never replaced by a fresh one at the call: the user's
object may carry more (a CA file, a client certificate) that other code relies on.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from ..model import OptOut, Verification
from ..providers import lookup
from ..remedies import Edit
from .arguments import own_nodes
from .conditions import committed_truth, mutated_names
from .context_bindings import ContextBinding, ContextBindings, Guard, complete
from .reaching import reaching
from .source import SourceText, dotted_name
from .symbols import FUNCTIONS, Binding
from .values import Evaluator

VERIFYING = "ssl.create_default_context()"
_VERIFYING_FACTORIES = {"ssl.create_default_context"}
_UNVERIFIED_FACTORIES = {"ssl._create_unverified_context", "ssl._create_stdlib_context"}
_ENDS = (ast.Return, ast.Yield, ast.YieldFrom)


class Contexts:
    def __init__(self, values: Evaluator, text: SourceText) -> None:
        self.values = values
        self.text = text
        self.parents = values.parents
        self._mutated: frozenset[str] | None = None  # the module's, once asked
        self._binder: ContextBindings | None = None  # once a context is bound twice
        self._following: set[ast.AST | None] = set()  # the factory functions being followed

    def verification(
        self, node: ast.AST | None, default: Verification = Verification.UNVERIFIED
    ) -> tuple[Verification, OptOut | None]:
        """Whether the context verifies, and for an OPTIONAL one the condition that turns
        its checks off and the first statement that does; ``default``: what no context
        (or ``None``) gives with the library at hand (the stdlib's verifies nothing,
        aiosmtplib's does)."""
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return default, None
        made = self._made_by_function(node)
        if made is not None:
            self._following.add(self.parents.get(made))
            try:
                return self.verification(made.value, default)
            finally:
                self._following.discard(self.parents.get(made))
        rebound = self._rebound(node, default)
        if rebound is not None:
            return rebound
        return self._verification_of(node, self._definition(node), default)

    def _made_by_function(self, node: ast.AST | None) -> ast.Return | None:
        """The ``return`` of a call of the module's own context factory: the context named in
        ``return context`` of ``def ssl_context(): context = SSLContext(); ...; return
        context``, judged where that function builds and loosens it. Only a function
        whose one ``return`` is its last statement (every call gets that context), not a
        generator; None for other calls (a library's factory, a method)."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            return None
        functions = [
            b.node for b in self.values.bindings(node.func) if isinstance(b.node, FUNCTIONS)
        ]
        if len(functions) != 1 or not isinstance(functions[0], ast.FunctionDef):
            return None
        function = functions[0]
        ends = [n for n in own_nodes(function) if isinstance(n, _ENDS)]
        last = function.body[-1]
        if ends != [last] or not isinstance(last, ast.Return) or last.value is None:
            return None
        if function in self._following:
            return None  # factories that call each other: no end to follow
        return last

    def _verification_of(
        self, node: ast.AST, definition: ast.AST, default: Verification
    ) -> tuple[Verification, OptOut | None]:
        """Whether the context ``node`` names verifies, made by ``definition``."""
        if isinstance(definition, ast.IfExp):
            return self._chosen(definition, default)
        if not isinstance(definition, ast.Call):
            return Verification.UNKNOWN, None
        verified = self._factory_verifies(definition)
        if verified is None:
            return Verification.UNKNOWN, None
        if not verified and not self._hardened(dotted_name(node)):
            return Verification.UNVERIFIED, None
        loosened = self._loosening(dotted_name(node), node, definition)
        if any(condition is None for _, condition in loosened):
            return Verification.UNVERIFIED, None
        if loosened:
            conditions = dict.fromkeys(c for _, c in loosened if c)
            first = min((statement for statement, _ in loosened), key=lambda n: n.lineno)
            return Verification.OPTIONAL, OptOut(" or ".join(conditions), self.values.span(first))
        return Verification.VERIFIED, None

    def _chosen(
        self, choice: ast.IfExp, default: Verification
    ) -> tuple[Verification, OptOut | None]:
        """A context picked by ``a if test else b``: the arm the project's committed values
        take; else, when one arm turns verification off (``None``, an unverified context)
        and the other does not, the program's option (``ctx if verify else None``),
        reported as such, at that arm; else what both arms agree on."""
        if self._mutated is None:
            self._mutated = mutated_names(self.values.symbols)
        committed = committed_truth(choice.test, self.values.evaluate, self._mutated)
        if committed is not None:
            return self.verification(choice.body if committed else choice.orelse, default)
        body = self.verification(choice.body, default)
        orelse = self.verification(choice.orelse, default)
        off = [
            (arm, on_body)
            for arm, on_body, (verification, _) in (
                (choice.body, True, body),
                (choice.orelse, False, orelse),
            )
            if verification is Verification.UNVERIFIED
        ]
        if len(off) == 1:
            arm, on_body = off[0]
            test = self.values.source(choice.test)
            condition = f"`{test}`" if on_body else f"not `{test}`"
            return Verification.OPTIONAL, OptOut(condition, self.values.span(arm))
        return body if body[0] is orelse[0] else (Verification.UNKNOWN, None)

    def _rebound(
        self, node: ast.AST, default: Verification
    ) -> tuple[Verification, OptOut | None] | None:
        """A context bound more than once on the paths to its use. The bindings under
        ``if`` tests the project's committed values decide are taken or dropped as they
        decide. Then: when every one that may reach the use turns verification off, it
        never verifies; when those that do are each under an option of the program (an
        ``if`` on a run-time value, a method its user calls: ``if insecure: context =
        ssl._create_unverified_context()``), it is that option, reported at the first of
        them; so is an unverified default that options replace with a verifying one. One
        that always runs, or the fallback of an ``except`` handler, is no option. None:
        not this shape (one binding, none unverified, or maybe unbound)."""
        found = self._bindings(node)
        if not found:
            return None
        if len(found) == 1:  # a name's one binding is its definition; an attribute's may not be
            attribute = _self_attribute(node) is not None
            return self._verification_of(node, found[0].value, default) if attribute else None
        kept = self._committed(found)
        if len(kept) == 1:
            return self._verification_of(node, kept[0].value, default)
        if isinstance(node, ast.Name) and not complete(kept):
            return None  # some path may leave it unbound
        off = [
            binding
            for binding in kept
            if self._judged(node, binding.value, default)[0] is Verification.UNVERIFIED
        ]
        if not off:
            return None
        if len(off) == len(kept):
            return Verification.UNVERIFIED, None
        options = (Guard.IF, Guard.METHOD)
        if all(binding.guard in options for binding in off):
            conditions = dict.fromkeys(self._runs_when(binding, True) for binding in off)
            first = min(off, key=lambda binding: binding.statement.lineno)
            return Verification.OPTIONAL, OptOut(
                " or ".join(conditions), self.values.span(self._turned_off(node, first))
            )
        default_binding = kept[-1]
        if off == [default_binding] and all(b.guard in options for b in kept[:-1]):
            conditions = dict.fromkeys(self._runs_when(b, False) for b in kept[:-1])
            return Verification.OPTIONAL, OptOut(
                " and ".join(conditions), self.values.span(default_binding.statement)
            )
        return Verification.UNVERIFIED, None

    def _turned_off(self, node: ast.AST, binding: ContextBinding) -> ast.AST:
        """Where a binding's context has its checks turned off: the first statement that
        loosens a verifying one made there (``ctx = ssl.create_default_context()`` then
        ``ctx.check_hostname = False`` on the same arm), else the binding itself."""
        if isinstance(binding.value, ast.Call) and self._factory_verifies(binding.value):
            loosened = self._loosening(dotted_name(node), node, binding.value)
            if loosened:
                return min((statement for statement, _ in loosened), key=lambda n: n.lineno)
        return binding.statement

    def _bindings(self, node: ast.AST) -> list[ContextBinding] | None:
        """The bindings of a plain name or a ``self`` attribute that may reach ``node``,
        latest first."""
        if self._binder is None:
            self._binder = ContextBindings(self.values.symbols)
        if isinstance(node, ast.Name):
            scope = self.values.symbols.scope_of.get(node)
            seen = _reaching(self.values.bindings(node), node, scope, self.parents)
            return self._binder.of_name(seen, node) if seen else None
        owner = _self_attribute(node)
        klass = self.values.enclosing_class(node) if owner is not None else None
        if owner is None or klass is None:
            return None
        return self._binder.of_attribute(klass, owner, node)

    def _committed(self, found: list[ContextBinding]) -> list[ContextBinding]:
        """The bindings left once the ``if`` tests the project's committed values decide
        are decided: a binding on the arm not taken never runs; one on the arm taken runs
        always, hiding the bindings before it."""
        if self._mutated is None:
            self._mutated = mutated_names(self.values.symbols)
        kept: list[ContextBinding] = []
        for binding in found:
            if binding.guard is Guard.IF and binding.branch is not None:
                committed = committed_truth(
                    binding.branch.test, self.values.evaluate, self._mutated
                )
                if committed is not None and committed is not binding.on_body:
                    continue
                if committed is not None:
                    binding = replace(binding, guard=Guard.ALWAYS)
            kept.append(binding)
            if binding.guard is Guard.ALWAYS:
                break
        return kept or found[-1:]

    def _judged(
        self, node: ast.AST, value: ast.expr, default: Verification
    ) -> tuple[Verification, OptOut | None]:
        if isinstance(value, ast.Constant) and value.value is None:
            return default, None
        return self._verification_of(node, value, default)

    def _runs_when(self, binding: ContextBinding, runs: bool) -> str:
        """The condition under which a binding under an option runs (``runs``) or not."""
        if binding.guard is Guard.METHOD:
            return f"`{binding.method}()` {'runs' if runs else 'does not run'}"
        assert binding.branch is not None
        test = self.values.source(binding.branch.test)
        return f"`{test}`" if binding.on_body is runs else f"not `{test}`"

    def fix(self, node: ast.AST | None) -> tuple[Edit, ...] | None:
        """The edits that make a named context built here verify; None when the argument is
        no such context, () when it is one but cannot be fixed where it is built. One a
        factory function of the module returns is fixed in that function (every caller
        then verifies)."""
        made = self._made_by_function(node)
        if made is not None:
            self._following.add(self.parents.get(made))
            try:
                fixed = self.fix(made.value)
            finally:
                self._following.discard(self.parents.get(made))
            return () if fixed is None else fixed
        if not isinstance(node, ast.Name) and _self_attribute(node) is None:
            return None
        definitions = self._made_on_paths(node) or [self._definition(node)]
        if any(d is node or not isinstance(d, ast.Call) for d in definitions):
            return None
        edits: list[Edit] = []
        for definition in definitions:
            verified = self._factory_verifies(definition)
            if verified is None:
                return ()
            if not verified:
                span = self.values.span(definition)
                edits.append(Edit(span.start, span.end, VERIFYING))
        for statement, condition in self._loosening(dotted_name(node), node, definition):
            if condition is not None:
                continue  # the user's option stays
            removal = self._removal(statement)
            if removal is None:
                return ()
            edits.append(removal)
        return tuple(edits)

    def _made_on_paths(self, node: ast.AST) -> list[ast.Call]:
        """The calls that make a context on the paths to its use, when more than one may
        reach it (or it is an attribute, bound elsewhere too) and every one is a call
        (``context = ssl.create_default_context()``, then ``if not VERIFY: context =
        ssl._create_unverified_context()``): each unverified one is fixed."""
        found = self._bindings(node)
        if not found or (len(found) < 2 and _self_attribute(node) is None):
            return []
        calls = [b.value for b in found if isinstance(b.value, ast.Call)]
        return calls if len(calls) == len(found) else []

    def _definition(self, node: ast.AST) -> ast.AST:
        """Follow a plain name, or ``self.x`` of a class, to the expression assigned to it
        (one level; for ``self.x`` the class body's or a method's first assignment)."""
        owner = _self_attribute(node)
        if owner is not None:
            klass = self.values.enclosing_class(node)
            assigned = self.values.class_attributes(klass).get(owner) if klass else None
            return assigned[0] if assigned else node
        bindings = self.values.bindings(node)
        scope = self.values.symbols.scope_of.get(node)
        seen = _reaching(bindings, node, scope, self.parents)
        for binding in (seen if len(seen) == 1 else []) or bindings:
            statement = self.parents.get(binding.node)
            if isinstance(statement, ast.Assign) and any(
                t is binding.node for t in statement.targets
            ):
                return statement.value
        return node

    def _factory_verifies(self, call: ast.Call) -> bool | None:
        """Whether the context a call makes starts out verifying (None: not known)."""
        names = self.values.qualified_names(call.func)
        if names & _UNVERIFIED_FACTORIES:
            return False
        if names & _VERIFYING_FACTORIES:
            return True
        if "ssl.SSLContext" not in names:
            return None
        protocol = [*call.args, *(k.value for k in call.keywords)]
        written = self.values.source(protocol[0]) if protocol else "PROTOCOL_TLS"
        if "PROTOCOL_" not in written:
            return None
        # Only PROTOCOL_TLS_CLIENT starts out verifying; every other protocol (and no
        # argument) starts with CERT_NONE and check_hostname off.
        return "PROTOCOL_TLS_CLIENT" in written

    def _hardened(self, name: str | None) -> bool:
        """``ctx.check_hostname = True`` and ``ctx.verify_mode = ssl.CERT_REQUIRED``."""
        found = {
            target.attr: self.values.source(statement.value)
            for statement in self.values.symbols.assignments
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Attribute) and dotted_name(target.value) in _names(name)
        }
        return found.get("check_hostname") == "True" and "CERT_REQUIRED" in found.get(
            "verify_mode", ""
        )

    def _loosening(
        self, name: str | None, use: ast.AST, definition: ast.AST
    ) -> list[tuple[ast.Assign, str | None]]:
        """The assignments that turn the context's checks off, each with the condition
        it is under (None: always). A plain name's are those of the scope that makes the
        context (another function's ``context`` is another object); one kept on the class
        (``self.ctx``) is set up anywhere in it."""
        found: list[tuple[ast.Assign, str | None]] = []
        names = _names(name)
        symbols = self.values.symbols
        scope = None if _self_attribute(use) else symbols.enclosing_function(definition)
        for statement in symbols.assignments:
            if not isinstance(statement, ast.Assign):
                continue
            if scope is not None and symbols.enclosing_function(statement) is not scope:
                continue
            for target in statement.targets:
                if not isinstance(target, ast.Attribute) or dotted_name(target.value) not in names:
                    continue
                value = self.values.source(statement.value)
                off = (target.attr == "check_hostname" and value == "False") or (
                    target.attr == "verify_mode" and "CERT_NONE" in value
                )
                if off and not self._for_other_hosts_only(statement):
                    found.append((statement, self._condition(statement, definition)))
        return found

    def _for_other_hosts_only(self, statement: ast.AST) -> bool:
        """Whether ``statement`` runs only for hosts that are not Microsoft's: under ``if
        host in ("imap.126.com", "imap.163.com"):`` or ``if host == "smtp.example.org":``
        (checks off for one provider's certificates), never on a connection to Microsoft."""
        arm = self._nearest_if(statement)
        if arm is None or not arm[1]:
            return False
        test = arm[0].test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return False
        op, compared = test.ops[0], test.comparators[0]
        if isinstance(op, ast.In) and isinstance(compared, (ast.Tuple, ast.List, ast.Set)):
            hosts = compared.elts
        elif isinstance(op, ast.Eq):
            hosts = [compared]
        else:
            return False
        return bool(hosts) and all(
            isinstance(host, ast.Constant) and _another_providers_host(host.value) for host in hosts
        )

    def _condition(self, statement: ast.AST, definition: ast.AST) -> str | None:
        """The test of the nearest ``if`` a statement is under, in its function, as the
        condition it runs on (``not verify``); None when it always runs, or runs whenever
        the context is made (made on the same arm: ``if tls: ctx = ...; ctx.verify_mode =
        ssl.CERT_NONE``, whose test says whether there is a context at all)."""
        arm = self._nearest_if(statement)
        if arm is None:
            return None
        branch, on_body = arm
        if self._on_arm(definition, branch, on_body):
            return None
        test = self.values.source(branch.test)
        return f"`{test}`" if on_body else f"not `{test}`"

    def _nearest_if(self, statement: ast.AST) -> tuple[ast.If, bool] | None:
        """The nearest ``if`` a statement is under, in its function, and whether on its
        body; None when it always runs."""
        child, current = statement, self.parents.get(statement)
        while current is not None and not isinstance(current, (*FUNCTIONS, ast.ClassDef)):
            if isinstance(current, ast.If):
                return current, child in current.body
            child, current = current, self.parents.get(current)
        return None

    def _on_arm(self, node: ast.AST, branch: ast.If, on_body: bool) -> bool:
        """Whether ``node`` is under ``branch``'s body (``on_body``) or its ``else``."""
        arm = branch.body if on_body else branch.orelse
        child, current = node, self.parents.get(node)
        while current is not None:
            if current is branch:
                return any(child is statement for statement in arm)
            child, current = current, self.parents.get(current)
        return False

    def _removal(self, statement: ast.stmt) -> Edit | None:
        """Delete a statement on lines of its own (with its line break)."""
        span = self.values.span(statement)
        start = self.text.line_start(span.line)
        if self.text.code[start : span.start].strip():
            return None
        end = self.text.next_line_start(span.end_line) or len(self.text.code)
        rest = self.text.code[span.end : end].strip()
        if rest and not rest.startswith("#"):
            return None
        return Edit(start, end, "")


def _reaching(
    bindings: list[Binding], use: ast.AST, scope: object, parents: dict[ast.AST, ast.AST]
) -> list[Binding]:
    """The bindings of the use's scope that may reach it, the latest first. When only one
    does, it is the context of the handshake: ``context = ssl._create_unverified_context()``
    on the arm of the call, not the ``context = ssl.create_default_context()`` an earlier
    arm made for another client."""
    position = (getattr(use, "lineno", 0), getattr(use, "col_offset", 0))
    before = sorted(
        (b for b in bindings if b.scope is scope and b.position <= position),
        key=lambda b: b.position,
    )
    return reaching(before, use, parents) if before else []


def _self_attribute(node: ast.AST) -> str | None:
    """``x`` for ``self.x``."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    ):
        return node.attr
    return None


def _names(name: str | None) -> set[str | None]:
    """The names a context's settings are written on: a context kept on the class
    (``self.ctx``) is also set up in the class body (``ctx.verify_mode = ...``)."""
    if name and name.startswith(("self.", "cls.")):
        return {name, name.split(".", 1)[1]}
    return {name}


def _another_providers_host(value: object) -> bool:
    """A host name that is neither Microsoft's nor a near miss of one."""
    if not isinstance(value, str) or "." not in value or " " in value:
        return False
    provider = lookup(value)
    return not (provider.microsoft or provider.probable)
