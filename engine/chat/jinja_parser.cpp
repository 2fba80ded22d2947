#include "engine/chat/jinja_parser.h"

#include <charconv>
#include <cstdlib>
#include <initializer_list>

namespace fulcrum::engine::chat {

namespace {

bool in_list(std::string_view s, std::initializer_list<std::string_view> list) {
  for (auto x : list)
    if (x == s) return true;
  return false;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<std::unique_ptr<Template>> run() {
    auto tpl = std::make_unique<Template>();
    std::string stopped;
    FULCRUM_TRY(tpl->body, parse_body({}, &stopped));
    return tpl;
  }

 private:
  // ---- token helpers ----
  const Token& cur() const { return t_[i_]; }
  const Token& peek(size_t k = 1) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  void advance() {
    if (i_ + 1 < t_.size()) ++i_;
  }
  bool is_op(std::string_view op) const { return cur().type == TokenType::kOp && cur().text == op; }
  bool is_name(std::string_view n) const {
    return cur().type == TokenType::kName && cur().text == n;
  }
  bool accept_op(std::string_view op) {
    if (!is_op(op)) return false;
    advance();
    return true;
  }
  bool accept_name(std::string_view n) {
    if (!is_name(n)) return false;
    advance();
    return true;
  }
  Error fail(const std::string& msg) const {
    return Error(ErrorCode::kParse,
                 "TemplateSyntaxError: " + msg + " (line " + std::to_string(cur().line) + ")");
  }
  std::string describe() const {
    switch (cur().type) {
      case TokenType::kEof: return "end of template";
      case TokenType::kBlockEnd: return "end of statement block";
      case TokenType::kVarEnd: return "end of print statement";
      case TokenType::kText: return "template data";
      default: return "'" + cur().text + "'";
    }
  }
  Status expect_op(std::string_view op) {
    if (accept_op(op)) return {};
    return fail("expected '" + std::string(op) + "', got " + describe());
  }
  Status expect_name(std::string_view n) {
    if (accept_name(n)) return {};
    return fail("expected '" + std::string(n) + "', got " + describe());
  }
  Result<std::string> expect_identifier() {
    if (cur().type != TokenType::kName) return fail("expected a name, got " + describe());
    std::string n = cur().text;
    advance();
    return n;
  }
  Status expect_block_end() {
    if (cur().type == TokenType::kBlockEnd) {
      advance();
      return {};
    }
    return fail("expected end of statement block, got " + describe());
  }
  ExprPtr make(ExprKind k) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->line = cur().line;
    return e;
  }
  StmtPtr make_stmt(StmtKind k) {
    auto s = std::make_unique<Stmt>();
    s->kind = k;
    s->line = cur().line;
    return s;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }
    int* d_;
  };
  // Left-associative chains (a+b+c, x|f|g, a.b.c) deepen the tree without recursing here, so
  // each link counts toward the same depth bound; the depth is restored when the chain ends.
  struct ChainGuard {
    explicit ChainGuard(Parser* p) : p_(p), saved_(p->depth_) {}
    ~ChainGuard() { p_->depth_ = saved_; }
    Status step() {
      ++p_->depth_;
      return p_->check_depth();
    }
    Parser* p_;
    int saved_;
  };
  Status check_depth() {
    if (depth_ > kMaxParseDepth) return fail("template nested too deeply");
    return {};
  }

  // ---- statements ----
  Result<Body> parse_body(std::initializer_list<std::string_view> stops, std::string* stopped) {
    DepthGuard guard(&depth_);
    FULCRUM_TRY_STATUS(check_depth());
    Body body;
    while (true) {
      const Token& tok = cur();
      if (tok.type == TokenType::kEof) {
        if (stops.size() == 0) return body;
        std::string want;
        for (auto s : stops) want += (want.empty() ? "" : " or ") + std::string(s);
        return fail("Unexpected end of template. Jinja was looking for: " + want);
      }
      if (tok.type == TokenType::kText) {
        auto s = make_stmt(StmtKind::kText);
        s->text = tok.text;
        body.push_back(std::move(s));
        advance();
        continue;
      }
      if (tok.type == TokenType::kVarBegin) {
        advance();
        auto s = make_stmt(StmtKind::kOutput);
        FULCRUM_TRY(s->expr, parse_tuple(true, false));
        if (cur().type != TokenType::kVarEnd) {
          return fail("expected end of print statement, got " + describe());
        }
        advance();
        body.push_back(std::move(s));
        continue;
      }
      if (tok.type != TokenType::kBlockBegin) return fail("unexpected " + describe());
      advance();
      if (cur().type != TokenType::kName) return fail("tag name expected");
      if (in_list(cur().text, stops)) {
        *stopped = cur().text;
        advance();
        return body;
      }
      FULCRUM_TRY(StmtPtr s, parse_statement());
      body.push_back(std::move(s));
    }
  }

  Result<StmtPtr> parse_statement() {
    std::string tag = cur().text;
    advance();
    if (tag == "if") return parse_if();
    if (tag == "for") return parse_for();
    if (tag == "set") return parse_set();
    if (tag == "macro") return parse_macro();
    if (tag == "call") return parse_call_block();
    if (tag == "filter") return parse_filter_block();
    if (tag == "with") return parse_with();
    if (tag == "generation") {
      auto s = make_stmt(StmtKind::kScope);
      s->new_scope = false;
      FULCRUM_TRY_STATUS(expect_block_end());
      std::string stopped;
      FULCRUM_TRY(s->body, parse_body({"endgeneration"}, &stopped));
      FULCRUM_TRY_STATUS(expect_block_end());
      return s;
    }
    if (tag == "break" || tag == "continue") {
      if (loop_depth_ == 0) return fail("'" + tag + "' outside of a loop");
      auto s = make_stmt(tag == "break" ? StmtKind::kBreak : StmtKind::kContinue);
      FULCRUM_TRY_STATUS(expect_block_end());
      return s;
    }
    return fail("Encountered unknown tag '" + tag + "'.");
  }

  Result<StmtPtr> parse_if() {
    auto s = make_stmt(StmtKind::kIf);
    while (true) {
      FULCRUM_TRY(ExprPtr cond, parse_tuple(false, false));
      FULCRUM_TRY_STATUS(expect_block_end());
      std::string stopped;
      FULCRUM_TRY(Body body, parse_body({"elif", "else", "endif"}, &stopped));
      s->branches.emplace_back(std::move(cond), std::move(body));
      if (stopped == "elif") continue;
      if (stopped == "else") {
        FULCRUM_TRY_STATUS(expect_block_end());
        FULCRUM_TRY(s->else_body, parse_body({"endif"}, &stopped));
      }
      FULCRUM_TRY_STATUS(expect_block_end());
      return s;
    }
  }

  Status parse_targets(Stmt* s) {
    bool paren = accept_op("(");
    while (true) {
      FULCRUM_TRY(std::string n, expect_identifier());
      s->targets.push_back(std::move(n));
      if (!accept_op(",")) break;
      s->unpack = true;
      if (cur().type != TokenType::kName) break;
    }
    if (paren) {
      s->unpack = true;
      FULCRUM_TRY_STATUS(expect_op(")"));
    }
    return {};
  }

  Result<StmtPtr> parse_for() {
    auto s = make_stmt(StmtKind::kFor);
    FULCRUM_TRY_STATUS(parse_targets(s.get()));
    FULCRUM_TRY_STATUS(expect_name("in"));
    FULCRUM_TRY(s->expr, parse_tuple(false, false));
    if (accept_name("if")) {
      FULCRUM_TRY(s->cond, parse_expression(true));
    }
    if (is_name("recursive")) return fail("recursive loops are not supported");
    FULCRUM_TRY_STATUS(expect_block_end());
    std::string stopped;
    ++loop_depth_;
    auto body = parse_body({"endfor", "else"}, &stopped);
    --loop_depth_;
    if (!body.ok()) return std::move(body).error();
    s->body = std::move(body).value();
    if (stopped == "else") {
      FULCRUM_TRY_STATUS(expect_block_end());
      FULCRUM_TRY(s->else_body, parse_body({"endfor"}, &stopped));
    }
    FULCRUM_TRY_STATUS(expect_block_end());
    return s;
  }

  Result<StmtPtr> parse_set() {
    auto s = make_stmt(StmtKind::kSet);
    if (cur().type == TokenType::kName && peek().type == TokenType::kOp && peek().text == ".") {
      auto target = make(ExprKind::kGetAttr);
      target->a = make(ExprKind::kName);
      target->a->name = cur().text;
      advance();
      advance();
      FULCRUM_TRY(target->name, expect_identifier());
      s->target_expr = std::move(target);
    } else {
      FULCRUM_TRY_STATUS(parse_targets(s.get()));
    }
    if (accept_op("=")) {
      FULCRUM_TRY(s->expr, parse_tuple(true, false));
      FULCRUM_TRY_STATUS(expect_block_end());
      return s;
    }
    if (s->target_expr || s->targets.size() != 1) return fail("expected '='");
    s->kind = StmtKind::kSetBlock;
    if (is_op("|")) {
      FULCRUM_TRY(s->expr, parse_filter_chain(nullptr));
    }
    FULCRUM_TRY_STATUS(expect_block_end());
    std::string stopped;
    FULCRUM_TRY(s->body, parse_body({"endset"}, &stopped));
    FULCRUM_TRY_STATUS(expect_block_end());
    return s;
  }

  Status parse_params(std::vector<Param>* params) {
    FULCRUM_TRY_STATUS(expect_op("("));
    while (!is_op(")")) {
      if (!params->empty()) FULCRUM_TRY_STATUS(expect_op(","));
      if (is_op(")")) break;
      Param p;
      FULCRUM_TRY(p.name, expect_identifier());
      if (accept_op("=")) {
        FULCRUM_TRY(p.default_value, parse_expression(true));
      }
      params->push_back(std::move(p));
    }
    advance();
    return {};
  }

  Result<Body> parse_callable_body(std::string_view end_tag) {
    int saved = loop_depth_;
    loop_depth_ = 0;
    std::string stopped;
    auto body = parse_body({end_tag}, &stopped);
    loop_depth_ = saved;
    if (!body.ok()) return std::move(body).error();
    FULCRUM_TRY_STATUS(expect_block_end());
    return std::move(body).value();
  }

  Result<StmtPtr> parse_macro() {
    auto s = make_stmt(StmtKind::kMacro);
    FULCRUM_TRY(s->text, expect_identifier());
    FULCRUM_TRY_STATUS(parse_params(&s->params));
    FULCRUM_TRY_STATUS(expect_block_end());
    FULCRUM_TRY(s->body, parse_callable_body("endmacro"));
    return s;
  }

  Result<StmtPtr> parse_call_block() {
    auto s = make_stmt(StmtKind::kCallBlock);
    if (is_op("(")) FULCRUM_TRY_STATUS(parse_params(&s->params));
    FULCRUM_TRY(s->expr, parse_expression(true));
    if (s->expr->kind != ExprKind::kCall) return fail("expected call");
    FULCRUM_TRY_STATUS(expect_block_end());
    FULCRUM_TRY(s->body, parse_callable_body("endcall"));
    return s;
  }

  Result<StmtPtr> parse_filter_block() {
    auto s = make_stmt(StmtKind::kFilterBlock);
    FULCRUM_TRY(s->expr, parse_filter_chain(nullptr, /*leading_pipe=*/false));
    FULCRUM_TRY_STATUS(expect_block_end());
    std::string stopped;
    FULCRUM_TRY(s->body, parse_body({"endfilter"}, &stopped));
    FULCRUM_TRY_STATUS(expect_block_end());
    return s;
  }

  Result<StmtPtr> parse_with() {
    auto s = make_stmt(StmtKind::kScope);
    while (cur().type != TokenType::kBlockEnd) {
      if (!s->assigns.empty()) FULCRUM_TRY_STATUS(expect_op(","));
      FULCRUM_TRY(std::string n, expect_identifier());
      FULCRUM_TRY_STATUS(expect_op("="));
      FULCRUM_TRY(ExprPtr e, parse_expression(true));
      s->assigns.emplace_back(std::move(n), std::move(e));
    }
    advance();
    std::string stopped;
    FULCRUM_TRY(s->body, parse_body({"endwith"}, &stopped));
    FULCRUM_TRY_STATUS(expect_block_end());
    return s;
  }

  // ---- expressions ----
  bool at_tuple_end() const {
    return cur().type == TokenType::kVarEnd || cur().type == TokenType::kBlockEnd ||
           cur().type == TokenType::kEof || is_op(")") || is_name("if") || is_name("recursive");
  }

  // A comma-separated tuple or a single expression (the top of {{ }}, set and for).
  Result<ExprPtr> parse_tuple(bool with_condexpr, bool explicit_parens) {
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    size_t line = cur().line;
    while (true) {
      if (!items.empty()) FULCRUM_TRY_STATUS(expect_op(","));
      if (!items.empty() && at_tuple_end()) break;
      if (items.empty() && explicit_parens && is_op(")")) break;
      FULCRUM_TRY(ExprPtr e, parse_expression(with_condexpr));
      items.push_back(std::move(e));
      if (is_op(",")) {
        is_tuple = true;
      } else {
        break;
      }
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) return fail("Expected an expression, got " + describe());
    }
    auto t = make(ExprKind::kTuple);
    t->line = line;
    t->items = std::move(items);
    return t;
  }

  Result<ExprPtr> parse_expression(bool with_condexpr) {
    DepthGuard guard(&depth_);
    FULCRUM_TRY_STATUS(check_depth());
    if (!with_condexpr) return parse_or();
    FULCRUM_TRY(ExprPtr e, parse_or());
    ChainGuard chain(this);
    while (is_name("if")) {
      FULCRUM_TRY_STATUS(chain.step());
      advance();
      auto c = make(ExprKind::kCond);
      c->a = std::move(e);
      FULCRUM_TRY(c->b, parse_or());
      if (accept_name("else")) {
        FULCRUM_TRY(c->c, parse_expression(true));
      }
      e = std::move(c);
    }
    return e;
  }

  Result<ExprPtr> parse_or() {
    FULCRUM_TRY(ExprPtr e, parse_and());
    ChainGuard chain(this);
    while (is_name("or")) {
      FULCRUM_TRY_STATUS(chain.step());
      advance();
      auto n = make(ExprKind::kOr);
      n->a = std::move(e);
      FULCRUM_TRY(n->b, parse_and());
      e = std::move(n);
    }
    return e;
  }

  Result<ExprPtr> parse_and() {
    FULCRUM_TRY(ExprPtr e, parse_not());
    ChainGuard chain(this);
    while (is_name("and")) {
      FULCRUM_TRY_STATUS(chain.step());
      advance();
      auto n = make(ExprKind::kAnd);
      n->a = std::move(e);
      FULCRUM_TRY(n->b, parse_not());
      e = std::move(n);
    }
    return e;
  }

  Result<ExprPtr> parse_not() {
    if (is_name("not")) {
      DepthGuard guard(&depth_);
      FULCRUM_TRY_STATUS(check_depth());
      auto n = make(ExprKind::kUnary);
      advance();
      n->name = "not";
      FULCRUM_TRY(n->a, parse_not());
      return n;
    }
    return parse_compare();
  }

  Result<ExprPtr> parse_compare() {
    FULCRUM_TRY(ExprPtr e, parse_math1());
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (cur().type == TokenType::kOp &&
          in_list(cur().text, {"==", "!=", "<", ">", "<=", ">="})) {
        op = cur().text;
        advance();
      } else if (is_name("in")) {
        op = "in";
        advance();
      } else if (is_name("not") && peek().type == TokenType::kName && peek().text == "in") {
        op = "not in";
        advance();
        advance();
      } else {
        break;
      }
      if (!cmp) {
        cmp = make(ExprKind::kCompare);
        cmp->a = std::move(e);
      }
      cmp->ops.push_back(op);
      FULCRUM_TRY(ExprPtr rhs, parse_math1());
      cmp->items.push_back(std::move(rhs));
    }
    return cmp ? std::move(cmp) : std::move(e);
  }

  Result<ExprPtr> binary(ExprPtr lhs, std::string op, ExprPtr rhs) {
    auto n = make(ExprKind::kBinary);
    n->name = std::move(op);
    n->a = std::move(lhs);
    n->b = std::move(rhs);
    return n;
  }

  Result<ExprPtr> parse_math1() {
    FULCRUM_TRY(ExprPtr e, parse_concat());
    ChainGuard chain(this);
    while (is_op("+") || is_op("-")) {
      FULCRUM_TRY_STATUS(chain.step());
      std::string op = cur().text;
      advance();
      FULCRUM_TRY(ExprPtr r, parse_concat());
      FULCRUM_TRY(e, binary(std::move(e), op, std::move(r)));
    }
    return e;
  }

  Result<ExprPtr> parse_concat() {
    FULCRUM_TRY(ExprPtr e, parse_math2());
    ChainGuard chain(this);
    while (is_op("~")) {
      FULCRUM_TRY_STATUS(chain.step());
      advance();
      FULCRUM_TRY(ExprPtr r, parse_math2());
      FULCRUM_TRY(e, binary(std::move(e), "~", std::move(r)));
    }
    return e;
  }

  Result<ExprPtr> parse_math2() {
    FULCRUM_TRY(ExprPtr e, parse_pow());
    ChainGuard chain(this);
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      FULCRUM_TRY_STATUS(chain.step());
      std::string op = cur().text;
      advance();
      FULCRUM_TRY(ExprPtr r, parse_pow());
      FULCRUM_TRY(e, binary(std::move(e), op, std::move(r)));
    }
    return e;
  }

  Result<ExprPtr> parse_pow() {
    FULCRUM_TRY(ExprPtr e, parse_unary(true));
    ChainGuard chain(this);
    while (is_op("**")) {
      FULCRUM_TRY_STATUS(chain.step());
      advance();
      FULCRUM_TRY(ExprPtr r, parse_unary(true));
      FULCRUM_TRY(e, binary(std::move(e), "**", std::move(r)));
    }
    return e;
  }

  Result<ExprPtr> parse_unary(bool with_filter) {
    DepthGuard guard(&depth_);
    FULCRUM_TRY_STATUS(check_depth());
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      node = make(ExprKind::kUnary);
      node->name = cur().text;
      advance();
      FULCRUM_TRY(node->a, parse_unary(false));
    } else {
      FULCRUM_TRY(node, parse_primary());
    }
    FULCRUM_TRY(node, parse_postfix(std::move(node)));
    if (with_filter) {
      FULCRUM_TRY(node, parse_filter_expr(std::move(node)));
    }
    return node;
  }

  Result<ExprPtr> parse_primary() {
    const Token& tok = cur();
    if (tok.type == TokenType::kName) {
      auto e = make(ExprKind::kLiteral);
      const std::string& n = tok.text;
      if (n == "true" || n == "True") {
        e->literal = Value::boolean(true);
      } else if (n == "false" || n == "False") {
        e->literal = Value::boolean(false);
      } else if (n == "none" || n == "None") {
        e->literal = Value::none();
      } else {
        e->kind = ExprKind::kName;
        e->name = n;
      }
      advance();
      return e;
    }
    if (tok.type == TokenType::kString) {
      auto e = make(ExprKind::kLiteral);
      std::string s;
      while (cur().type == TokenType::kString) {
        s += cur().text;
        advance();
      }
      e->literal = Value::string(std::move(s));
      return e;
    }
    if (tok.type == TokenType::kInt || tok.type == TokenType::kFloat) return parse_number();
    if (accept_op("(")) {
      FULCRUM_TRY(ExprPtr e, parse_tuple(true, true));
      FULCRUM_TRY_STATUS(expect_op(")"));
      return e;
    }
    if (is_op("[")) return parse_list();
    if (is_op("{")) return parse_dict();
    return fail("unexpected " + describe());
  }

  Result<ExprPtr> parse_number() {
    auto e = make(ExprKind::kLiteral);
    const std::string& text = cur().text;
    if (cur().type == TokenType::kInt) {
      int64_t v = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc()) return fail("integer literal out of range");
      e->literal = Value::integer(v);
    } else {
      e->literal = Value::number(std::strtod(text.c_str(), nullptr));
    }
    advance();
    return e;
  }

  Result<ExprPtr> parse_list() {
    auto e = make(ExprKind::kList);
    advance();
    while (!is_op("]")) {
      if (!e->items.empty()) FULCRUM_TRY_STATUS(expect_op(","));
      if (is_op("]")) break;
      FULCRUM_TRY(ExprPtr item, parse_expression(true));
      e->items.push_back(std::move(item));
    }
    advance();
    return e;
  }

  Result<ExprPtr> parse_dict() {
    auto e = make(ExprKind::kDict);
    advance();
    while (!is_op("}")) {
      if (!e->items.empty()) FULCRUM_TRY_STATUS(expect_op(","));
      if (is_op("}")) break;
      FULCRUM_TRY(ExprPtr k, parse_expression(true));
      FULCRUM_TRY_STATUS(expect_op(":"));
      FULCRUM_TRY(ExprPtr v, parse_expression(true));
      e->items.push_back(std::move(k));
      e->items.push_back(std::move(v));
    }
    advance();
    return e;
  }

  Result<ExprPtr> parse_postfix(ExprPtr node) {
    ChainGuard chain(this);
    while (true) {
      FULCRUM_TRY_STATUS(chain.step());
      if (is_op(".")) {
        advance();
        if (cur().type == TokenType::kName) {
          auto e = make(ExprKind::kGetAttr);
          e->name = cur().text;
          e->a = std::move(node);
          advance();
          node = std::move(e);
        } else if (cur().type == TokenType::kInt) {
          auto e = make(ExprKind::kGetItem);
          e->a = std::move(node);
          FULCRUM_TRY(e->b, parse_number());
          node = std::move(e);
        } else {
          return fail("expected name or number after '.'");
        }
      } else if (is_op("[")) {
        advance();
        FULCRUM_TRY(node, parse_subscript(std::move(node)));
      } else if (is_op("(")) {
        FULCRUM_TRY(node, parse_call(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> parse_subscript(ExprPtr obj) {
    ExprPtr first;
    if (!is_op(":")) {
      FULCRUM_TRY(first, parse_tuple(true, true));
    }
    if (!is_op(":")) {
      auto e = make(ExprKind::kGetItem);
      e->a = std::move(obj);
      e->b = std::move(first);
      if (!e->b) return fail("expected subscript");
      FULCRUM_TRY_STATUS(expect_op("]"));
      return e;
    }
    auto e = make(ExprKind::kSlice);
    e->a = std::move(obj);
    e->items.push_back(std::move(first));
    for (int part = 0; part < 2; ++part) {
      if (!accept_op(":")) {
        e->items.push_back(nullptr);
        continue;
      }
      ExprPtr p;
      if (!is_op("]") && !is_op(":")) {
        FULCRUM_TRY(p, parse_expression(true));
      }
      e->items.push_back(std::move(p));
    }
    FULCRUM_TRY_STATUS(expect_op("]"));
    return e;
  }

  Status parse_call_args(Expr* e) {
    FULCRUM_TRY_STATUS(expect_op("("));
    while (!is_op(")")) {
      if (!e->items.empty() || !e->kwargs.empty()) FULCRUM_TRY_STATUS(expect_op(","));
      if (is_op(")")) break;
      if (is_op("*") || is_op("**")) return fail("*args and **kwargs calls are not supported");
      if (cur().type == TokenType::kName && peek().type == TokenType::kOp && peek().text == "=") {
        std::string key = cur().text;
        advance();
        advance();
        FULCRUM_TRY(ExprPtr v, parse_expression(true));
        e->kwargs.emplace_back(std::move(key), std::move(v));
      } else {
        if (!e->kwargs.empty()) return fail("positional argument follows keyword argument");
        FULCRUM_TRY(ExprPtr v, parse_expression(true));
        e->items.push_back(std::move(v));
      }
    }
    advance();
    return {};
  }

  Result<ExprPtr> parse_call(ExprPtr callee) {
    auto e = make(ExprKind::kCall);
    e->a = std::move(callee);
    FULCRUM_TRY_STATUS(parse_call_args(e.get()));
    return e;
  }

  Result<std::string> dotted_name() {
    FULCRUM_TRY(std::string n, expect_identifier());
    while (is_op(".") && peek().type == TokenType::kName) {
      advance();
      n += "." + cur().text;
      advance();
    }
    return n;
  }

  // `| f1(args) | f2 ...` applied to node (node null: a filter block's placeholder).
  Result<ExprPtr> parse_filter_chain(ExprPtr node, bool leading_pipe = true) {
    bool first = true;
    ChainGuard chain(this);
    while (is_op("|") || (first && !leading_pipe)) {
      FULCRUM_TRY_STATUS(chain.step());
      if (!(first && !leading_pipe)) advance();
      first = false;
      auto f = make(ExprKind::kFilter);
      FULCRUM_TRY(f->name, dotted_name());
      if (is_op("(")) FULCRUM_TRY_STATUS(parse_call_args(f.get()));
      f->a = std::move(node);
      node = std::move(f);
    }
    return node;
  }

  Result<ExprPtr> parse_filter_expr(ExprPtr node) {
    ChainGuard chain(this);
    while (true) {
      FULCRUM_TRY_STATUS(chain.step());
      if (is_op("|")) {
        FULCRUM_TRY(node, parse_filter_chain(std::move(node)));
      } else if (is_name("is")) {
        FULCRUM_TRY(node, parse_test(std::move(node)));
      } else if (is_op("(")) {
        FULCRUM_TRY(node, parse_call(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> parse_test(ExprPtr node) {
    advance();  // is
    auto t = make(ExprKind::kTest);
    if (accept_name("not")) t->negated = true;
    FULCRUM_TRY(t->name, dotted_name());
    t->a = std::move(node);
    if (is_op("(")) {
      FULCRUM_TRY_STATUS(parse_call_args(t.get()));
    } else if ((cur().type == TokenType::kName || cur().type == TokenType::kString ||
                cur().type == TokenType::kInt || cur().type == TokenType::kFloat || is_op("(") ||
                is_op("[") || is_op("{")) &&
               !is_name("else") && !is_name("or") && !is_name("and")) {
      if (is_name("is")) return fail("You cannot chain multiple tests with is");
      FULCRUM_TRY(ExprPtr arg, parse_primary());
      FULCRUM_TRY(arg, parse_postfix(std::move(arg)));
      t->items.push_back(std::move(arg));
    }
    return t;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

Result<std::unique_ptr<Template>> parse_template(std::string_view source,
                                                 const LexOptions& options) {
  FULCRUM_TRY(std::vector<Token> tokens, lex_template(source, options));
  Parser parser(std::move(tokens));
  return parser.run();
}

}  // namespace fulcrum::engine::chat
