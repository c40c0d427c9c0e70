// The XML reader the JUnit checks rely on: it must reject what CI systems reject, or the JUnit
// tests could pass on a malformed report.
#include "tests/cli/xml_tree.hpp"

#include <gtest/gtest.h>

namespace softcheck::cli_test {
namespace {

TEST(XmlTree, ReadsElementsAttributesAndDecodedText) {
  const auto root = parse_xml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<a x=\"1 &amp; 2\" y='&lt;'>\n"
      "  <b/><c k=\"v\">t &#x41;&#66; &gt;<b z=\"&quot;\"/></c>\n</a>\n");
  EXPECT_EQ(root->name, "a");
  EXPECT_EQ(root->attribute("x"), "1 & 2");
  EXPECT_EQ(root->attribute("y"), "<");
  ASSERT_EQ(root->children.size(), 2u);
  EXPECT_EQ(root->children[1]->text, "t AB >");
  const auto bs = root->find_all("b");
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_EQ(bs[1]->attribute("z"), "\"");
  EXPECT_THROW(root->attribute("missing"), XmlError);
}

TEST(XmlTree, RejectsMalformedDocuments) {
  for (const char* bad : {
           "<a><b></a></b>",        // mismatched end tag
           "<a>",                   // unclosed
           "<a x=1/>",              // unquoted attribute
           "<a x=\"1\" x=\"2\"/>",  // duplicate attribute
           "<a x=\"<\"/>",          // raw '<' in an attribute
           "<a>1 & 2</a>",          // raw '&'
           "<a>&nbsp;</a>",         // entity XML does not define
           "<a/><b/>",              // two roots
           "<a x=\"1\"y=\"2\"/>",   // no space between attributes
           "<a>\x01</a>",           // control character
           "",                      // no root
           "text",                  // no root
       })
    EXPECT_THROW(parse_xml(bad), XmlError) << bad;
}

}  // namespace
}  // namespace softcheck::cli_test
