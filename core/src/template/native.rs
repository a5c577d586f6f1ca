//! galton's own binary template format.
