"""Full-text search over published articles, in Chinese and English.

One interface, `search_articles(query, tag=, source=)`, one backend per database vendor
(articles.search.backends), the same terms on both (articles.search.tokens), an index kept in
step by signal receivers (articles.search.index).
"""

from articles.search.results import MAX_QUERY_LENGTH, SearchHit, SearchResults, clean_query, search_articles

__all__ = ["MAX_QUERY_LENGTH", "SearchHit", "SearchResults", "clean_query", "search_articles"]
