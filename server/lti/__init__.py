"""LTI 1.3 (issue #17): the course server as a tool that Moodle and other platforms launch."""
