#include "tests/cli/xml_tree.hpp"

#include <cstdint>
#include <string>

namespace softcheck::cli_test {
namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : d_(doc) {}

  std::unique_ptr<XmlElement> document() {
    if (d_.substr(0, 5) == "<?xml") {
      const auto end = d_.find("?>");
      if (end == std::string_view::npos) fail("unterminated XML declaration");
      i_ = end + 2;
    }
    misc();
    if (!at('<')) fail("expected the root element");
    auto root = element();
    misc();
    if (i_ != d_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw XmlError(what + " at byte " + std::to_string(i_));
  }
  bool at(char c) const { return i_ < d_.size() && d_[i_] == c; }
  bool starts(std::string_view s) const { return d_.substr(i_, s.size()) == s; }
  void expect(char c) {
    if (!at(c)) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  void skip_space() {
    while (i_ < d_.size() && space(d_[i_])) ++i_;
  }
  void comment() {
    const auto end = d_.find("-->", i_ + 4);
    if (end == std::string_view::npos) fail("unterminated comment");
    i_ = end + 3;
  }
  // Whitespace and comments around the root.
  void misc() {
    for (;;) {
      skip_space();
      if (starts("<!--"))
        comment();
      else
        return;
    }
  }
  std::string name() {
    if (i_ >= d_.size() || !name_start(d_[i_])) fail("expected a name");
    const std::size_t start = i_;
    while (i_ < d_.size() && name_char(d_[i_])) ++i_;
    return std::string(d_.substr(start, i_ - start));
  }
  // Character data up to `stop` with entity references decoded; a raw '<' or '&' is an error.
  std::string chars(char stop) {
    std::string s;
    while (i_ < d_.size() && d_[i_] != stop) {
      const char c = d_[i_];
      if (c == '<') fail("raw '<' in character data");
      if (static_cast<unsigned char>(c) < 0x20 && !space(c)) fail("control character");
      if (c != '&') {
        s += c;
        ++i_;
        continue;
      }
      const auto semi = d_.find(';', i_);
      if (semi == std::string_view::npos) fail("unterminated entity reference");
      const std::string_view ref = d_.substr(i_ + 1, semi - i_ - 1);
      if (ref == "amp")
        s += '&';
      else if (ref == "lt")
        s += '<';
      else if (ref == "gt")
        s += '>';
      else if (ref == "quot")
        s += '"';
      else if (ref == "apos")
        s += '\'';
      else if (ref.size() > 1 && ref[0] == '#') {
        const bool hex = ref[1] == 'x';
        const std::string digits(ref.substr(hex ? 2 : 1));
        if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF"
                                                           : "0123456789") != std::string::npos)
          fail("bad character reference");
        append_utf8(s, static_cast<uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10)));
      } else {
        fail("unknown entity '&" + std::string(ref) + ";'");
      }
      i_ = semi + 1;
    }
    return s;
  }
  std::unique_ptr<XmlElement> element() {
    expect('<');
    auto e = std::make_unique<XmlElement>();
    e->name = name();
    for (;;) {
      const bool had_space = i_ < d_.size() && space(d_[i_]);
      skip_space();
      if (starts("/>")) {
        i_ += 2;
        return e;
      }
      if (at('>')) {
        ++i_;
        break;
      }
      if (!had_space) fail("expected whitespace before an attribute");
      const std::string key = name();
      skip_space();
      expect('=');
      skip_space();
      if (!at('"') && !at('\'')) fail("unquoted attribute value");
      const char quote = d_[i_++];
      std::string value = chars(quote);
      expect(quote);
      if (!e->attributes.emplace(key, std::move(value)).second) fail("duplicate attribute " + key);
    }
    for (;;) {
      if (i_ >= d_.size()) fail("unclosed element <" + e->name + ">");
      if (starts("</")) {
        i_ += 2;
        if (name() != e->name) fail("mismatched end tag for <" + e->name + ">");
        skip_space();
        expect('>');
        return e;
      }
      if (starts("<!--"))
        comment();
      else if (at('<'))
        e->children.push_back(element());
      else
        e->text += chars('<');
    }
  }

  std::string_view d_;
  std::size_t i_ = 0;
};

void collect(const XmlElement& e, std::string_view name, std::vector<const XmlElement*>& out) {
  for (const auto& c : e.children) {
    if (c->name == name) out.push_back(c.get());
    collect(*c, name, out);
  }
}

}  // namespace

std::vector<const XmlElement*> XmlElement::find_all(std::string_view element) const {
  std::vector<const XmlElement*> out;
  collect(*this, element, out);
  return out;
}

const std::string& XmlElement::attribute(const std::string& key) const {
  const auto it = attributes.find(key);
  if (it == attributes.end()) throw XmlError("<" + name + "> has no attribute " + key);
  return it->second;
}

std::unique_ptr<XmlElement> parse_xml(std::string_view doc) { return Parser(doc).document(); }

}  // namespace softcheck::cli_test
