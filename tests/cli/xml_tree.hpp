// A small strict XML reader for the JUnit reports: enough of XML 1.0 to reject what CI systems
// reject (unbalanced or mismatched tags, unquoted or duplicate attributes, a raw '<' or '&' in
// text, unknown entities, control characters, more than one root) and to walk the elements. No
// DTDs, CDATA or namespaces: softcheck writes none.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck::cli_test {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;  // entity references decoded
  std::string text;                               // character data directly inside, decoded
  std::vector<std::unique_ptr<XmlElement>> children;

  // Every descendant (at any depth) with this name, in document order.
  std::vector<const XmlElement*> find_all(std::string_view element) const;
  const std::string& attribute(const std::string& key) const;  // throws if missing
};

struct XmlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The root element of a well-formed document; XmlError (with the byte offset) otherwise.
std::unique_ptr<XmlElement> parse_xml(std::string_view doc);

}  // namespace softcheck::cli_test
