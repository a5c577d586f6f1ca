//! ANSI INCITS 378-2004 finger minutiae record.
