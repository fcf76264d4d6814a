"""Search: one index of what can be found (content, people, spaces, topics, attachment names),
ranked lists fused by reciprocal rank fusion, filtered through the read policy at query time
(docs/search.md). A domain above the others it indexes: it reads them, none imports it."""
