"""The loader's last pass: the paths of course.yaml, with their durations checked."""

from __future__ import annotations

from course.course_file import PathSpec
from course.documents import Reporter
from course.models import (
    Module,
    Path,
)

PATH_TOLERANCE = 0.10


class PathPass(Reporter):
    def build_paths(
        self, specs: list[PathSpec], modules: dict[str, Module], module_files: dict[str, str]
    ) -> tuple[Path, ...]:
        paths = []
        for spec in specs:
            total = sum(modules[m].duration for m in spec.module_ids if m in modules)
            if abs(total - spec.target_minutes) > PATH_TOLERANCE * spec.target_minutes:
                self.error(
                    self.rel(self.root / "course.yaml"),
                    spec.line,
                    f"parcours « {spec.id} » : {total} min au total pour une cible de "
                    f"{spec.target_minutes} min (écart de plus de 10 %)",
                )
            paths.append(
                Path(
                    id=spec.id,
                    title=spec.title,
                    target_minutes=spec.target_minutes,
                    description=spec.description,
                    audience=spec.audience,
                    outcomes=spec.outcomes,
                    module_ids=spec.module_ids,
                    total_minutes=total,
                    sections=spec.sections,
                    min_time_percent=spec.min_time_percent,
                )
            )
        used = {m for spec in specs for m in spec.module_ids}
        for ident, rel in sorted(module_files.items()):
            if ident not in used:
                self.error(rel, 2, f"le module « {ident} » n'appartient à aucun parcours")
        return tuple(paths)
