/// Text encodings of CSV files met in Chinese offices. GBK files are read as GB18030, its superset.
public enum TextEncoding: Sendable { case utf8, gb18030 }
