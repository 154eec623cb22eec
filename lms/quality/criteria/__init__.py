"""The automatic checkpoint criteria, one module a family: the engine that every criterion
follows (:mod:`.engine`), the criteria about attendance records (:mod:`.attendance`), level
assessments (:mod:`.assessments`), the students' follow-up (:mod:`.followup`), critical alerts
(:mod:`.alerts`), productions (:mod:`.productions`) and the satisfaction survey
(:mod:`.survey`), and the catalogue that names them with the manual criteria
(:mod:`.catalogue`)."""
